package dev.tokenproxy.adapter.out.upstream.anthropic;

import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiModelsEndpoint;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET {base_url}/models} of the Anthropic API: {@code {"data":[{"id":...}], "has_more":...}}, the same
 * {@code data[].id} shape as OpenAI's list, so OpenAI's reader serves; only the authentication differs. The first page
 * is enough: Anthropic's default page holds twenty models, more than it offers.
 */
public final class AnthropicModels {

    private AnthropicModels() {
    }

    public static FetchUpstreamModelsPort endpoint(UpstreamHttpClient http) {
        return new OpenAiModelsEndpoint(AnthropicAdapter.PROVIDER, http, AnthropicModels::headers);
    }

    private static Map<String, String> headers(Upstream upstream) {
        var headers = new LinkedHashMap<String, String>();
        upstream.apiKeys().stream().findFirst().filter(key -> !key.isBlank())
                .ifPresent(key -> headers.put("x-api-key", key.reveal()));
        headers.put("anthropic-version", AnthropicRequestHeaders.DEFAULT_VERSION);
        headers.put("accept", "application/json");
        return headers;
    }
}
