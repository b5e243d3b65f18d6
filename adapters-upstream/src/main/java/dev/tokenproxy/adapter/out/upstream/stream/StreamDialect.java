package dev.tokenproxy.adapter.out.upstream.stream;

import dev.tokenproxy.domain.classify.Fault;
import java.util.List;

/**
 * One (upstream format → inbound format) pair, for one attempt: classifies each upstream frame and translates it
 * into zero or more frames of the client's format. Stateful (it remembers e.g. whether a finish reason was seen, or
 * the next sequence number), so a new instance serves each attempt. The {@link PreOutputGate} does the rest.
 *
 * @param <F> a frame of the upstream's transport framing
 */
public interface StreamDialect<F> {

    /**
     * The gate committed the stream (output, a deliverable end, or the hold-back budget ran out). Some frames mean
     * something else afterwards: an end with no output fails an attempt before commit, but completes a stream after.
     */
    void committed();

    /** What one upstream frame means, translated. */
    DialectStep step(F frame);

    /** The body ended without a terminal frame. */
    DialectStep endOfBody();

    /** The transport failed ({@code fault}: a reset, a timeout); the dialect says whether the answer is whole anyway. */
    DialectStep transportFailed(Fault fault);

    /** The body could not be framed. */
    DialectStep malformed();

    /** The frames that end a committed stream early, in the inbound format (chat: an error event, then [DONE]). */
    List<byte[]> interruption(StreamBreak why);
}
