package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Objects;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One client API the gateway answers: where its requests are posted, how the few fields the gateway decides on are
 * read from them, how its errors look, and which of the client's headers an upstream of the same API may see. The
 * {@link ForwardPipeline} does the rest, the same for every API.
 *
 * @param forwardsHeader whether a client header (name in lower case) travels with the request to the upstream
 *                       adapter; credentials never do
 */
record InboundDialect(InboundFormat format, String path, Function<BodyBytes, RequestFields.ParseResult> parser,
                      ErrorShape errors, Predicate<String> forwardsHeader) {

    /** OpenAI Chat Completions. */
    static final InboundDialect CHAT = new InboundDialect(InboundFormat.CHAT, "/v1/chat/completions",
            RequestFields::parse, ErrorShape.OPENAI, name -> false);
    /** OpenAI Responses (what Codex CLI speaks). */
    static final InboundDialect RESPONSES = new InboundDialect(InboundFormat.RESPONSES, "/v1/responses",
            RequestFields::parse, ErrorShape.OPENAI, name -> false);
    /**
     * Anthropic Messages (what Claude Code speaks). Its {@code anthropic-*} headers (version, betas) change what the
     * API does, so an Anthropic upstream must see them; none of them is a credential.
     */
    static final InboundDialect MESSAGES = new InboundDialect(InboundFormat.MESSAGES, "/v1/messages",
            RequestFields::parse, ErrorShape.ANTHROPIC,
            name -> name.toLowerCase(Locale.ROOT).startsWith("anthropic-"));

    InboundDialect {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(forwardsHeader, "forwardsHeader");
    }
}
