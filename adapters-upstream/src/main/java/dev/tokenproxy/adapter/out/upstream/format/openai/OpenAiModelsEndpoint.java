package dev.tokenproxy.adapter.out.upstream.format.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET {base_url}/models}, which every OpenAI-style API serves (Chat Completions and Responses upstreams
 * alike): {@code {"object":"list","data":[{"id":...}, ...]}}. Authenticated with the upstream's first API key, the
 * one credential that needs no pool walk; a listing is not worth spending more than that on.
 */
public final class OpenAiModelsEndpoint implements FetchUpstreamModelsPort {


    /**
     * Not the completion timeouts of configuration: a listing runs in the background, so it may wait longer for a
     * slow upstream than a client would, but a stuck one must not pin a connection for more than a minute.
     */
    private static final ExchangeLimits LIMITS = new ExchangeLimits(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final String provider;
    private final UpstreamHttpClient http;
    private final Function<Upstream, Map<String, String>> headers;

    /** @param provider the provider kind whose upstreams speak this API, e.g. {@code openai} */
    public OpenAiModelsEndpoint(String provider, UpstreamHttpClient http) {
        this(provider, http, OpenAiModelsEndpoint::bearerHeaders);
    }

    /**
     * For an API that lists its models in the same {@code data[].id} shape but authenticates otherwise (Anthropic's
     * {@code GET /v1/models} with {@code x-api-key}).
     *
     * @param headers the request headers for an upstream, its credential included
     */
    public OpenAiModelsEndpoint(String provider, UpstreamHttpClient http,
                                Function<Upstream, Map<String, String>> headers) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.http = Objects.requireNonNull(http, "http");
        this.headers = Objects.requireNonNull(headers, "headers");
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public Result fetch(Upstream upstream) {
        byte[] body;
        try (UpstreamExchange exchange = http.get(OpenAiWire.endpoint(upstream.baseUrl(), "models"),
                headers.apply(upstream), LIMITS)) {
            exchange.outputStarted();
            body = exchange.readBody();
            if (exchange.status() < 200 || exchange.status() >= 300) {
                return new Result.Failed("status " + exchange.status());
            }
        } catch (TransportFailure failure) {
            return new Result.Failed(failure.fault().name().toLowerCase(Locale.ROOT));
        }
        return modelIds(body).<Result>map(Result.Listed::new)
                .orElseGet(() -> new Result.Failed("the answer is not an OpenAI model list"));
    }

    private static Map<String, String> bearerHeaders(Upstream upstream) {
        var headers = new LinkedHashMap<String, String>();
        // A blank key means a keyless upstream (a local server), not a key to send.
        upstream.apiKeys().stream().findFirst().filter(key -> !key.isBlank())
                .ifPresent(key -> headers.put("Authorization", "Bearer " + key.reveal()));
        headers.put("Accept", "application/json");
        return headers;
    }

    /** The {@code id} of each entry of {@code data}; empty when the body is not that shape. */
    static Optional<java.util.List<String>> modelIds(byte[] body) {
        JsonNode root;
        try {
            root = ChatJson.mapper().readTree(body);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        if (root == null || !root.path("data").isArray()) {
            return Optional.empty();
        }
        var ids = new ArrayList<String>();
        for (JsonNode model : root.path("data")) {
            // An entry without a textual id names nothing a client could send; the rest of the list still counts.
            if (model.path("id").isTextual() && !model.path("id").asText().isBlank()) {
                ids.add(model.path("id").asText());
            }
        }
        return Optional.of(ids);
    }
}
