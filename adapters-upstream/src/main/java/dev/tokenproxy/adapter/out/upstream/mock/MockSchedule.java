package dev.tokenproxy.adapter.out.upstream.mock;

/**
 * Which attempts of a {@code mock} upstream a fault hits, counted from 1 per upstream. Counting attempts rather than
 * drawing random numbers keeps a scripted failure reproducible in a user's CI.
 */
public sealed interface MockSchedule {

    boolean hits(long attempt);

    /** Every attempt. */
    record Always() implements MockSchedule {
        @Override
        public boolean hits(long attempt) {
            return true;
        }
    }

    /** The 1st, (n+1)th, (2n+1)th… attempt: {@code every: 2} fails every other attempt, starting with the first. */
    record Every(int n) implements MockSchedule {
        public Every {
            if (n < 1) {
                throw new IllegalArgumentException("every must be at least 1");
            }
        }

        @Override
        public boolean hits(long attempt) {
            return (attempt - 1) % n == 0;
        }
    }

    /** The first {@code n} attempts, then never again. */
    record First(int n) implements MockSchedule {
        public First {
            if (n < 1) {
                throw new IllegalArgumentException("first must be at least 1");
            }
        }

        @Override
        public boolean hits(long attempt) {
            return attempt <= n;
        }
    }
}
