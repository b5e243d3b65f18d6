package dev.tokenproxy.domain.classify;

import dev.tokenproxy.domain.attempt.RetryReason;
import java.util.Objects;

/**
 * The right-hand side of a classification row.
 *
 * @param kind     which outcome the attempt becomes
 * @param reason   for {@link Kind#RETRYABLE} only, else null
 * @param cooldown which cooldown the credential gets (a wait hint refines TRANSIENT and CREDENTIAL)
 * @param statusOverride the status the outcome reports instead of the upstream's, or 0 to keep it
 */
public record Verdict(Kind kind, RetryReason reason, CooldownKind cooldown, int statusOverride) {

    /** Which {@link dev.tokenproxy.domain.attempt.AttemptOutcome} variant the attempt becomes. */
    public enum Kind {
        /** {@code AttemptOutcome.Success}: deliverable. */
        SUCCESS,
        /** {@code AttemptOutcome.Retryable}: another try may fix it. */
        RETRYABLE,
        /** {@code AttemptOutcome.Fatal}: no one else can help. */
        FATAL
    }

    /**
     * Which {@link dev.tokenproxy.domain.attempt.CooldownRule} a retryable attempt gets; an upstream's wait hint turns
     * {@code TRANSIENT} and {@code CREDENTIAL} into a hinted cooldown.
     */
    public enum CooldownKind {
        /** The credential is not to blame. */
        NONE,
        /** A failure that passes: the doubling schedule. */
        TRANSIENT,
        /** The credential was refused: the long credential cooldown. */
        CREDENTIAL
    }

    public Verdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(cooldown, "cooldown");
        if ((kind == Kind.RETRYABLE) != (reason != null)) {
            throw new IllegalArgumentException("a reason is required for RETRYABLE and only there");
        }
    }

    /** Deliverable, no cooldown: what every attempt no row matches gets. */
    public static final Verdict SUCCESS = new Verdict(Kind.SUCCESS, null, CooldownKind.NONE, 0);
    /** Deliver and stop: no other account or upstream would accept the request. */
    public static final Verdict FATAL = new Verdict(Kind.FATAL, null, CooldownKind.NONE, 0);

    /** Retryable for {@code reason}, cooling the credential as {@code cooldown} says. */
    public static Verdict retry(RetryReason reason, CooldownKind cooldown) {
        return new Verdict(Kind.RETRYABLE, reason, cooldown, 0);
    }

    /** The same verdict, reporting {@code status} whatever the upstream said (e.g. 502 for an empty 200). */
    public Verdict withStatus(int status) {
        return new Verdict(kind, reason, cooldown, status);
    }

    /** The status an outcome under this verdict reports, given the upstream's. */
    public int status(int upstreamStatus) {
        return statusOverride == 0 ? upstreamStatus : statusOverride;
    }
}
