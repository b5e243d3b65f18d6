package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Objects;
import java.util.function.Function;

/**
 * One client API the gateway answers: where its requests are posted, how the few fields the gateway decides on are
 * read from them, and how its errors look. The {@link ForwardPipeline} does the rest, the same for every API.
 */
record InboundDialect(InboundFormat format, String path, Function<byte[], RequestFields.ParseResult> parser,
                      ErrorShape errors) {

    /** OpenAI Chat Completions. */
    static final InboundDialect CHAT = new InboundDialect(InboundFormat.CHAT, "/v1/chat/completions",
            RequestFields::parse, ErrorShape.OPENAI);
    /** OpenAI Responses (what Codex CLI speaks). */
    static final InboundDialect RESPONSES = new InboundDialect(InboundFormat.RESPONSES, "/v1/responses",
            RequestFields::parse, ErrorShape.OPENAI);

    InboundDialect {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(errors, "errors");
    }
}
