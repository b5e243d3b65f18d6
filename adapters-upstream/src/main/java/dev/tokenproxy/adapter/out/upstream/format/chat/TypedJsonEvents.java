package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrames;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The first step of every dialect over typed JSON events (Responses, Anthropic Messages): a comment is a keep-alive,
 * an event whose data is not a JSON object is malformed, and an event's type is its JSON {@code type}, else its SSE
 * {@code event:} name. Each dialect says what a malformed event and each typed event mean.
 */
public final class TypedJsonEvents {

    private TypedJsonEvents() {
    }

    public static DialectStep step(SseItem item, Supplier<DialectStep> malformed,
                                   BiFunction<String, ObjectNode, DialectStep> typed) {
        return switch (item) {
            case SseItem.Comment comment -> new DialectStep.KeepAlive(SseFrames.comment(comment.text()));
            case SseItem.Event event -> {
                Optional<ObjectNode> parsed = ChatJson.object(event.data());
                if (parsed.isEmpty()) {
                    yield malformed.get();
                }
                String type = ChatJson.scalar(parsed.get(), "type");
                if (type == null) {
                    type = event.type() == null ? "" : event.type();
                }
                yield typed.apply(type, parsed.get());
            }
        };
    }
}
