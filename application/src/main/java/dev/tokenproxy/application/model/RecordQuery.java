package dev.tokenproxy.application.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which requests the operator asks about: every filter optional, newest first, a page at a time.
 *
 * @param account the credential label ({@code key-1}, an account id)
 * @param model   the requested or the served model name
 * @param limit   page size, 1 to {@link #MAX_LIMIT}
 */
public record RecordQuery(Optional<Instant> from, Optional<Instant> to, Optional<String> upstream,
                          Optional<String> account, Optional<String> model, Optional<Integer> status, int limit,
                          int offset) {

    public static final int MAX_LIMIT = 500;
    public static final RecordQuery ALL = new RecordQuery(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 50, 0);

    public RecordQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(status, "status");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0");
        }
    }
}
