package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.port.in.ListModelsUseCase;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The OpenAI-style endpoints: {@code POST /v1/chat/completions} and {@code POST /v1/responses} through the one
 * {@link ForwardPipeline}, and {@code GET /v1/models}.
 */
final class OpenAiEndpoints implements HttpService {


    private final ForwardPipeline pipeline;
    private final ListModelsUseCase models;
    private final LocalApiKeys localKeys;

    OpenAiEndpoints(ForwardPipeline pipeline, ListModelsUseCase models, LocalApiKeys localKeys) {
        this.pipeline = pipeline;
        this.models = models;
        this.localKeys = localKeys;
    }

    @Override
    public void routing(HttpRules rules) {
        for (InboundDialect dialect : new InboundDialect[] {InboundDialect.CHAT, InboundDialect.RESPONSES}) {
            rules.post(dialect.path(), pipeline.handlerFor(dialect));
        }
        rules.get("/v1/models", this::listModels);
    }

    /** {@code {"object":"list","data":[{"id","object":"model","created","owned_by"}]}}. */
    private static com.fasterxml.jackson.databind.node.ObjectNode openAiList(java.util.List<String> ids) {
        var root = HttpJson.mapper().createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        for (String id : ids) {
            data.addObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "token-proxy");
        }
        return root;
    }

    /** {@code {"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}}. */
    private static com.fasterxml.jackson.databind.node.ObjectNode anthropicList(java.util.List<String> ids) {
        var root = HttpJson.mapper().createObjectNode();
        var data = root.putArray("data");
        for (String id : ids) {
            data.addObject().put("type", "model").put("id", id).put("display_name", id)
                    .put("created_at", "1970-01-01T00:00:00Z");
        }
        root.put("has_more", false);
        root.put("first_id", ids.isEmpty() ? null : ids.getFirst());
        root.put("last_id", ids.isEmpty() ? null : ids.getLast());
        return root;
    }

    private void listModels(ServerRequest req, ServerResponse res) {
        if (localKeys.authenticate(req.headers()).isEmpty()) {
            LocalApiKeys.unauthorized().send(res);
            return;
        }
        var ids = models.listModels();
        // Anthropic clients (Claude Code, the Anthropic SDKs) always send anthropic-version and read their own shape.
        boolean anthropic = req.headers().contains(io.helidon.http.HeaderNames.create("anthropic-version"));
        var root = anthropic ? anthropicList(ids) : openAiList(ids);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

}
