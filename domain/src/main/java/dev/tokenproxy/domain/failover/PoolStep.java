package dev.tokenproxy.domain.failover;

import dev.tokenproxy.domain.attempt.AttemptOutcome;

/** What a credential pool does after one attempt (behaviour §3). */
public sealed interface PoolStep<R> {

    /** Stop walking and deliver this outcome (a 2xx success, or a fatal rejection). */
    record Deliver<R>(AttemptOutcome<R> outcome) implements PoolStep<R> {
    }

    /** Try the next credential; remember this outcome in case none remains. */
    record TryNext<R>(AttemptOutcome<R> remembered) implements PoolStep<R> {
    }

    /** No usable credential: stop the pool, the upstream counts as skipped. */
    record Skip<R>() implements PoolStep<R> {
    }
}
