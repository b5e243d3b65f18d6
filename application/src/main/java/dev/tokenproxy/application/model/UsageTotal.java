package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.attempt.TokenUsage;
import java.util.Objects;

/** Billable usage of one group: how many requests, and their tokens. */
public record UsageTotal(String group, long requests, TokenUsage usage) {
    public UsageTotal {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(usage, "usage");
    }
}
