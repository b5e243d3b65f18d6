package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.application.model.BodyBytes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The Anthropic endpoints: {@code POST /v1/messages} through the one {@link ForwardPipeline} (Claude Code posts to
 * {@code /v1/messages?beta=true}; routing matches the path, so the query changes nothing), and
 * {@code POST /v1/messages/count_tokens}, answered here with an estimate since no upstream is asked.
 */
final class MessagesEndpoints implements HttpService {


    private final ForwardPipeline pipeline;
    private final LocalApiKeys localKeys;
    private final long maxRequestBodyBytes;

    MessagesEndpoints(ForwardPipeline pipeline, LocalApiKeys localKeys, long maxRequestBodyBytes) {
        this.pipeline = pipeline;
        this.localKeys = localKeys;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(InboundDialect.MESSAGES.path(), pipeline.handlerFor(InboundDialect.MESSAGES));
        rules.post(InboundDialect.MESSAGES.path() + "/count_tokens", this::countTokens);
    }

    /**
     * {@code {"input_tokens": N}}, an estimate (see {@link TokenEstimate}): clients use it to decide when to compact
     * a conversation, for which an honest approximation serves and a call upstream per keystroke would not.
     */
    private void countTokens(ServerRequest req, ServerResponse res) {
        var errors = InboundDialect.MESSAGES.errors();
        if (localKeys.authenticate(req.headers()).isEmpty()) {
            LocalApiKeys.unauthorized().send(res, errors);
            return;
        }
        BodyBytes body;
        switch (BoundedBody.read(req, maxRequestBodyBytes)) {
            case BoundedBody.Outcome.Complete complete -> body = complete.bytes();
            case BoundedBody.Outcome.TooLarge tooLarge -> {
                GatewayError.invalidRequest(413, "request_too_large",
                        "The request body exceeds " + maxRequestBodyBytes + " bytes.").send(res, errors);
                return;
            }
            case BoundedBody.Outcome.Malformed malformed -> {
                GatewayError.invalidRequest(400, "malformed_body",
                        "The request body could not be read: " + malformed.reason() + ".").send(res, errors);
                return;
            }
        }
        var parsed = RequestFields.parse(body);
        if (parsed.error() != null) {
            parsed.error().send(res, errors);
            return;
        }
        JsonNode request;
        try {
            request = HttpJson.mapper().readTree(body.array(), 0, body.length());
        } catch (IOException checkedAlready) {
            throw new IllegalStateException("RequestFields accepted a body Jackson cannot read", checkedAlready);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(("{\"input_tokens\":" + TokenEstimate.inputTokens(request) + "}").getBytes(StandardCharsets.UTF_8));
    }
}
