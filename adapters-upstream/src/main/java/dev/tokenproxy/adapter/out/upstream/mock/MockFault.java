package dev.tokenproxy.adapter.out.upstream.mock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One way a {@code mock} upstream can misbehave, as a real upstream does; each is observed by the gateway through the
 * same reading and classification as a real provider's failure would be.
 */
public sealed interface MockFault {

    /**
     * Answers {@code status} with an OpenAI error body, and {@code Retry-After} when given.
     *
     * @param status            400–599: a 2xx or 3xx is not a fault
     * @param retryAfterSeconds the {@code Retry-After} header, if any
     */
    record Status(int status, Optional<Integer> retryAfterSeconds) implements MockFault {
        public Status {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be between 400 and 599, got " + status);
            }
            Objects.requireNonNull(retryAfterSeconds, "retryAfterSeconds");
            if (retryAfterSeconds.isPresent() && retryAfterSeconds.get() < 0) {
                throw new IllegalArgumentException("retry_after_seconds must not be negative");
            }
        }
    }

    /** The connection breaks before any response: a transport failure. */
    record Reset() implements MockFault {
    }

    /** Never produces output: the attempt ends at its first-output timeout (or the request deadline). */
    record Stall() implements MockFault {
    }

    /**
     * A stream that breaks after {@code outputChunks} chunks of text: 0 breaks it before output (invisible to the
     * client, retryable), more breaks it after commit (the client gets its format's terminal error). A non-stream
     * answer breaks while its body is read.
     */
    record Cut(int outputChunks) implements MockFault {
        public Cut {
            if (outputChunks < 0) {
                throw new IllegalArgumentException("after_chunks must not be negative");
            }
        }
    }

    /** A 2xx that finished normally with no text in it. */
    record EmptyCompletion() implements MockFault {
    }

    /** Waits {@code delay} before its first output, then answers normally (or times out if the wait is too long). */
    record SlowFirstToken(Duration delay) implements MockFault {
        public SlowFirstToken {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative");
            }
        }
    }
}
