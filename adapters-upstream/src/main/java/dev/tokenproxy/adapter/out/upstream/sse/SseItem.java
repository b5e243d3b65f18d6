package dev.tokenproxy.adapter.out.upstream.sse;

import java.util.Objects;

/** One thing an event stream carried: a dispatched event, or a comment line (servers send those as keep-alives). */
public sealed interface SseItem {

    /**
     * A complete event.
     *
     * @param type the {@code event:} field, or null when the event had none
     * @param data the {@code data:} lines joined with {@code \n}
     */
    record Event(String type, String data) implements SseItem {
        public Event {
            Objects.requireNonNull(data, "data");
        }
    }

    /** A {@code :} line; {@code text} is what follows the colon. */
    record Comment(String text) implements SseItem {
        public Comment {
            Objects.requireNonNull(text, "text");
        }
    }
}
