package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ForwardPipeline pipeline;
    private final ListModelsUseCase models;
    private final LocalApiKeys localKeys;

    OpenAiEndpoints(ForwardRequestUseCase forward, ListModelsUseCase models, LocalApiKeys localKeys,
                    long maxRequestBodyBytes, InFlightBytes inFlight, java.time.Duration clientRetryWaitMax,
                    dev.tokenproxy.application.port.in.RecordRefusalUseCase refusals) {
        this.pipeline = new ForwardPipeline(forward, localKeys, maxRequestBodyBytes, inFlight, clientRetryWaitMax,
                refusals);
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

    private void listModels(ServerRequest req, ServerResponse res) {
        if (localKeys.authenticate(req.headers()).isEmpty()) {
            LocalApiKeys.unauthorized().send(res);
            return;
        }
        var root = JSON.createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        for (String id : models.listModels()) {
            data.addObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "token-proxy");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

}
