package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/** What {@link KiroToMessagesEvents} made of one Kiro message. */
public sealed interface KiroEventStep {

    /**
     * Anthropic Messages SSE event objects (each has its {@code type}, which is also its SSE {@code event:} name).
     *
     * @param output whether these events carry real output (text, thinking, a tool call): the pre-output boundary
     */
    record Events(List<ObjectNode> events, boolean output) implements KiroEventStep {
        public Events {
            events = List.copyOf(events);
        }
    }

    /**
     * Kiro reported a failure inside the stream ({@code :message-type} {@code exception} or {@code error}).
     *
     * @param type    the exception type or error code, e.g. {@code ThrottlingException}
     * @param message Kiro's message, for the classification and the client's error event
     */
    record Failed(String type, String message) implements KiroEventStep {
        public Failed {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(message, "message");
        }
    }
}
