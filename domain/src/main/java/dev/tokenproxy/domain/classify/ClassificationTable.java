package dev.tokenproxy.domain.classify;

import static dev.tokenproxy.domain.classify.ClassificationRule.fault;
import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps an {@link AttemptSignal} to an {@link AttemptOutcome}: the first matching row wins, so specific rows
 * (a request-scoped error code) stand above general ones (a status range). Anything no row matches is a
 * deliverable {@code Success}, whatever its status (behaviour §2: "everything else 4xx is Success(non-2xx)").
 */
public final class ClassificationTable {

    private final List<ClassificationRule> rules;

    /** Only the factories build tables outside this package, so every such table ends with the default rows. */
    ClassificationTable(List<ClassificationRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The default table of behaviour §2, for every provider. Providers prepend their own rows. */
    public static ClassificationTable defaults() {
        return new ClassificationTable(defaultRules());
    }

    /** A table whose {@code providerRules} are consulted before the defaults. */
    public static ClassificationTable withProviderRules(List<ClassificationRule> providerRules) {
        var all = new ArrayList<>(providerRules);
        all.addAll(defaultRules());
        return new ClassificationTable(all);
    }

    /** The rows in the order they are asked. */
    List<ClassificationRule> rules() {
        return rules;
    }

    /** The verdict of the first row that matches {@code signal}; {@link Verdict#SUCCESS} when none does. */
    public Verdict verdict(AttemptSignal signal) {
        for (var rule : rules) {
            if (rule.matches(signal)) {
                return rule.verdict();
            }
        }
        return Verdict.SUCCESS;
    }

    /** Classifies the attempt and attaches what will be delivered (or remembered) for it. */
    public <R> AttemptOutcome<R> outcome(AttemptSignal signal, R response) {
        var verdict = verdict(signal);
        int status = verdict.status(signal.status());
        return switch (verdict.kind()) {
            case SUCCESS -> new AttemptOutcome.Success<>(status, response);
            case FATAL -> new AttemptOutcome.Fatal<>(status, response);
            case RETRYABLE -> new AttemptOutcome.Retryable<>(
                    verdict.reason(), status, response, cooldownRule(verdict.cooldown(), signal));
        };
    }

    private static CooldownRule cooldownRule(CooldownKind kind, AttemptSignal signal) {
        if (kind == CooldownKind.NONE) {
            return CooldownRule.NONE;
        }
        // A wait hint from the upstream is more precise than our own schedule.
        if (signal.waitHint().isPresent()) {
            return CooldownRule.hinted(signal.waitHint().get());
        }
        return kind == CooldownKind.CREDENTIAL ? CooldownRule.CREDENTIAL : CooldownRule.TRANSIENT;
    }

    private static List<ClassificationRule> defaultRules() {
        var transientCool = CooldownKind.TRANSIENT;
        return List.of(
                // Request-scoped rejections: no other upstream can accept this request either.
                status(400, 499, Verdict.FATAL).withErrorCode("context_length_exceeded"),
                status(400, 499, Verdict.FATAL).withErrorCode("content_policy_violation"),
                status(400, 499, Verdict.FATAL).withErrorCode("content_filter"),
                status(400, Verdict.FATAL).withErrorType("invalid_request_error").withNamesParam(true),
                // Billing, not load: the key stays unusable for long, like a rejected credential.
                status(429, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL))
                        .withErrorCode("insufficient_quota"),
                status(401, 403, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL)),
                status(408, Verdict.retry(RetryReason.UPSTREAM_REQUEST_TIMEOUT, transientCool)),
                status(429, Verdict.retry(RetryReason.RATE_LIMITED, transientCool)),
                status(500, Verdict.retry(RetryReason.SERVER_ERROR, transientCool)),
                status(502, 504, Verdict.retry(RetryReason.SERVER_ERROR, transientCool)),
                status(520, 524, Verdict.retry(RetryReason.SERVER_ERROR, transientCool)),
                status(529, Verdict.retry(RetryReason.SERVER_ERROR, transientCool)),
                fault(Fault.CONNECT_REFUSED, Verdict.retry(RetryReason.CONNECT_FAILED, transientCool)),
                fault(Fault.UNKNOWN_HOST, Verdict.retry(RetryReason.UNKNOWN_HOST, transientCool)),
                fault(Fault.CONNECTION_RESET, Verdict.retry(RetryReason.CONNECTION_RESET, transientCool)),
                fault(Fault.TLS_FAILURE, Verdict.retry(RetryReason.TLS_FAILED, transientCool)),
                fault(Fault.CONNECT_TIMEOUT, Verdict.retry(RetryReason.TIMED_OUT, transientCool)),
                fault(Fault.FIRST_OUTPUT_TIMEOUT, Verdict.retry(RetryReason.TIMED_OUT, transientCool)),
                fault(Fault.IDLE_TIMEOUT, Verdict.retry(RetryReason.TIMED_OUT, transientCool)),
                fault(Fault.STREAM_BROKEN_BEFORE_OUTPUT,
                        Verdict.retry(RetryReason.STREAM_FAILED_BEFORE_OUTPUT, transientCool)),
                // Nothing a client could use arrived: 502, and the upstream cools like after any broken exchange.
                fault(Fault.PROTOCOL_VIOLATION, Verdict.retry(RetryReason.BAD_RESPONSE, transientCool).withStatus(502)),
                fault(Fault.RESPONSE_TOO_LARGE, Verdict.retry(RetryReason.BAD_RESPONSE, transientCool).withStatus(502)),
                // Our own memory budget is spent: stop here with 503 rather than spend upstream tokens elsewhere.
                fault(Fault.GATEWAY_OVERLOADED, Verdict.FATAL.withStatus(503)),
                // An empty answer says nothing about the credential's health: no cooldown. 502: the 200 was not
                // a usable answer, so it must never reach the client as one.
                fault(Fault.EMPTY_COMPLETION, Verdict.retry(RetryReason.EMPTY_COMPLETION, CooldownKind.NONE)
                        .withStatus(502)));
    }
}
