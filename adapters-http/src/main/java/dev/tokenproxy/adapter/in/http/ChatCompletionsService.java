package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.domain.routing.InboundFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;

/** The OpenAI-style endpoints: {@code POST /v1/chat/completions} and {@code GET /v1/models}. */
final class ChatCompletionsService implements HttpService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ForwardRequestUseCase forward;
    private final ListModelsUseCase models;
    private final LocalApiKeys localKeys;
    private final long maxRequestBodyBytes;
    private final InFlightBytes inFlight;

    ChatCompletionsService(ForwardRequestUseCase forward, ListModelsUseCase models, LocalApiKeys localKeys,
                           long maxRequestBodyBytes, InFlightBytes inFlight) {
        this.forward = forward;
        this.models = models;
        this.localKeys = localKeys;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
        this.inFlight = inFlight;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", this::chatCompletions)
                .get("/v1/models", this::listModels);
    }

    private void chatCompletions(ServerRequest req, ServerResponse res) {
        Optional<LocalApiKey> client = localKeys.authenticate(req.headers());
        if (client.isEmpty()) {
            unauthorized().send(res);
            return;
        }
        // Held from admission until the response is written: the body, and about as much again for its parse tree.
        long reserved = 0;
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() <= maxRequestBodyBytes) {
            reserved = 2 * declared.getAsLong();
            if (!inFlight.tryReserve(reserved)) {
                refuseOverloaded(res);
                return;
            }
        }
        try {
            forwardWithin(req, res, client.get(), reserved);
        } finally {
            inFlight.release(reserved);
        }
    }

    /** Reads, checks and forwards an admitted request; {@code reserved} bytes of the budget are already held. */
    private void forwardWithin(ServerRequest req, ServerResponse res, LocalApiKey client, long reserved) {
        byte[] body;
        switch (BoundedBody.read(req, maxRequestBodyBytes)) {
            case BoundedBody.Outcome.Complete complete -> body = complete.bytes();
            case BoundedBody.Outcome.TooLarge tooLarge -> {
                OpenAiError.invalidRequest(413, "request_too_large",
                        "The request body exceeds " + maxRequestBodyBytes + " bytes.").send(res);
                return;
            }
            case BoundedBody.Outcome.Malformed malformed -> {
                // Where this body ends is unknown, so nothing after it can be read as the next request.
                res.header(HeaderValues.CONNECTION_CLOSE);
                OpenAiError.invalidRequest(400, "malformed_body",
                        "The request body could not be read: " + malformed.reason() + ".").send(res);
                return;
            }
        }
        // A chunked body declared no length: it is counted once read, before anything is done with it.
        long unreserved = 2L * body.length - reserved;
        if (unreserved > 0) {
            if (!inFlight.tryReserve(unreserved)) {
                refuseOverloaded(res);
                return;
            }
        }
        try {
            var parsed = ChatRequestFields.parse(body);
            if (parsed.error() != null) {
                parsed.error().send(res);
                return;
            }
            var command = new ForwardRequestCommand(InboundFormat.CHAT, parsed.fields().model(),
                    parsed.fields().stream(), body, client.upstreams());
            ForwardResultWriter.write(forward.forward(command), res);
        } finally {
            if (unreserved > 0) {
                inFlight.release(unreserved);
            }
        }
    }

    private static void refuseOverloaded(ServerResponse res) {
        res.header(HeaderNames.RETRY_AFTER, "1");
        OpenAiError.overloaded().send(res);
    }

    private void listModels(ServerRequest req, ServerResponse res) {
        if (localKeys.authenticate(req.headers()).isEmpty()) {
            unauthorized().send(res);
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

    private static OpenAiError unauthorized() {
        return OpenAiError.invalidRequest(401, "invalid_api_key",
                "Missing or invalid API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key'.");
    }
}
