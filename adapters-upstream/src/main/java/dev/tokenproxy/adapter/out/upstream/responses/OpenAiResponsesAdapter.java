package dev.tokenproxy.adapter.out.upstream.responses;

import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.format.responses.ChatToResponsesRequest;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesToChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The {@code openai_responses} provider: the OpenAI Responses API ({@code POST {base}/responses}, protocols §2) for
 * Responses clients as they are, and for Chat clients by converting the request to Responses and the answer back.
 * Like every provider it turns what came back into an {@link AttemptSignal} and lets its table decide.
 */
public final class OpenAiResponsesAdapter implements SendAttemptPort {

    public static final String PROVIDER = "openai_responses";

    /** Responses natively; Chat clients by converting requests to Responses and answers back (allow_conversion). */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.RESPONSES), Set.of(InboundFormat.CHAT));

    /** The after-200 failure codes every Responses upstream shares; nothing of its own. */
    static final List<ClassificationRule> RULES = ResponsesOutcomes.failedCodeRules(PROVIDER);
    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RULES);

    private final UpstreamHttpClient http;
    private final Clock clock;
    private final ResponsesOutcomes outcomes;

    public OpenAiResponsesAdapter(UpstreamHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.outcomes = new ResponsesOutcomes(PROVIDER, TABLE, clock);
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        boolean chat = request.format() == InboundFormat.CHAT;
        Optional<BodyBytes> body = chat
                ? ChatToResponsesRequest.convert(request.body().bytes(), request.upstreamModel()).map(BodyBytes::of)
                : Optional.of(ResponsesRequestBody.forUpstream(request));
        if (body.isEmpty()) {
            return outcomes.notConvertible();
        }
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "responses"),
                    OpenAiWire.requestHeaders(request), body.get(),
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return outcomes.notAnswered(failure);
        }
        try {
            AttemptSignal answered = AttemptSignal.http(PROVIDER, exchange.status());
            if (exchange.status() < 200 || exchange.status() >= 300) {
                return outcomes.rejected(exchange, answered, OpenAiErrorBody::describe, UnaryOperator.identity());
            }
            String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
            if (request.stream()) {
                return outcomes.stream(exchange, answered, chat
                        ? new ResponsesToChatStreamDialect(PROVIDER, echoModel,
                                ResponsesOutcomes.includeUsage(request.body()))
                        : new ResponsesStreamDialect(PROVIDER, echoModel));
            }
            return response(exchange, answered, echoModel, chat);
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }

    /** A non-stream response object, read whole. */
    private AttemptOutcome<UpstreamReply> response(UpstreamExchange exchange, AttemptSignal answered, String echoModel,
                                                   boolean chat) {
        exchange.outputStarted();
        byte[] body;
        try (exchange) {
            body = exchange.readBody();
        } catch (TransportFailure failure) {
            return outcomes.bodyNotRead(failure);
        }
        return outcomes.finished(body, answered, OpenAiWire.forwardedHeaders(exchange), echoModel, chat);
    }
}
