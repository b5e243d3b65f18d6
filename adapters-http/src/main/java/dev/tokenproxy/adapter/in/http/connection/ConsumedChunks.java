package dev.tokenproxy.adapter.in.http.connection;

import io.helidon.common.buffers.DataReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Unlinks the chunks a connection's {@link DataReader} has read past, so that a collection can free them young.
 *
 * <p>Helidon's reader keeps the bytes it read as a linked list and drops a chunk by moving its head past it, leaving
 * the dropped chunk's link to the next one in place. Once any chunk of a connection has lived through a young
 * collection it sits in the old generation, where it stays until a full collection however dead it is; from there its
 * link keeps the next chunk alive at every young collection, which keeps the one after it, and so on: every byte the
 * connection reads from then on is copied into the old generation (docs/benchmark.md, eleventh pass). Cutting the links
 * behind the head ends that chain: the reader never walks behind its head.
 *
 * <p>The list is private to Helidon, so its two fields are reached by reflection once per class; when that fails (a
 * Helidon that keeps its chunks differently, or a module that does not open them), nothing is cut and the reader works
 * as before.
 */
final class ConsumedChunks {

    private static final VarHandle HEAD;
    private static final VarHandle NEXT;

    static {
        VarHandle head = null;
        VarHandle next = null;
        try {
            Class<?> node = Class.forName(DataReader.class.getName() + "$Node");
            var lookup = MethodHandles.privateLookupIn(DataReader.class, MethodHandles.lookup());
            head = lookup.findVarHandle(DataReader.class, "head", node);
            next = MethodHandles.privateLookupIn(node, MethodHandles.lookup()).findVarHandle(node, "next", node);
        } catch (ReflectiveOperationException | RuntimeException unreachable) {
            head = null;
            next = null;
        }
        HEAD = head;
        NEXT = next;
    }

    /** The reader's head when last looked at: every chunk from it up to the present head has been read past. */
    private Object lastHead;

    /** Whether this Helidon's reader can be unlinked; false means {@link #cut} does nothing. */
    static boolean available() {
        return HEAD != null;
    }

    /**
     * Unlinks the chunks {@code reader} has read past since the last call. Called on the connection's own thread from
     * the reader's supplier, that is while the reader asks for more bytes and not while it walks its list.
     */
    void cut(DataReader reader) {
        if (HEAD == null) {
            return;
        }
        Object head = HEAD.get(reader);
        Object chunk = lastHead;
        while (chunk != null && chunk != head) {
            Object following = NEXT.get(chunk);
            NEXT.set(chunk, null);
            chunk = following;
        }
        lastHead = head;
    }
}
