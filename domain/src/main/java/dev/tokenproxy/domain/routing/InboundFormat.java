package dev.tokenproxy.domain.routing;

/** The API a client speaks to the gateway (behaviour §1). */
public enum InboundFormat {
    /** {@code POST /v1/chat/completions}. */
    CHAT,
    /** {@code POST /v1/responses}. */
    RESPONSES,
    /** {@code POST /v1/messages} (Anthropic). */
    MESSAGES
}
