package dev.tokenproxy.application.model;

import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.util.Optional;

/**
 * The rest of a committed stream, as wire-ready chunks in the inbound format. The adapter that made it owns the
 * protocol: a failure after commit becomes a protocol-correct terminal error chunk, never a clean finish and
 * never an exception to the caller.
 */
public interface ReplyStream extends AutoCloseable {

    /** The next chunk to send, or null when the stream has ended. Blocks until one is available. */
    byte[] next();

    /**
     * What broke the stream after its first output, once it has ended that way (an error event, a cut, a silent
     * upstream); empty while it runs, after a clean end, and when the client left first.
     */
    default Optional<AttemptSignal> brokenAfterOutput() {
        return Optional.empty();
    }

    /**
     * The tokens the stream reported, once it has ended (a Chat usage chunk, a Responses {@code response.completed});
     * {@link TokenUsage#NONE} while it runs and when it reported none.
     */
    default TokenUsage usage() {
        return TokenUsage.NONE;
    }

    /** Stops the stream and cancels the upstream call (e.g. the client went away). Idempotent. */
    @Override
    void close();
}
