package dev.tokenproxy.adapter.out.upstream.responses;

import static dev.tokenproxy.domain.classify.ClassificationRule.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.format.responses.ChatToResponsesRequest;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponseToChatCompletion;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesFailure;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesOutput;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesToChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrameSource;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    /**
     * A Responses upstream reports some failures after HTTP 200, as a {@code failed} response or an {@code error}
     * event; their signal is "nothing deliverable from a 2xx" with the upstream's code (see {@link ResponsesFailure}).
     * These rows give those codes the meaning the default rows give them under an HTTP status: a request-scoped
     * rejection stops everything (400), a rate limit fails over and cools for the wait the message names (429), a
     * spent quota is a billing failure of the credential. Any other code stays a failure before output.
     */
    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(List.of(
            failedWith("context_length_exceeded", Verdict.FATAL.withStatus(400)),
            failedWith("content_policy_violation", Verdict.FATAL.withStatus(400)),
            failedWith("content_filter", Verdict.FATAL.withStatus(400)),
            failedWith("insufficient_quota",
                    Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL).withStatus(429)),
            failedWith("rate_limit_exceeded",
                    Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT).withStatus(429))));

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    private static final int REJECTED_2XX_STATUS = 502;

    private final UpstreamHttpClient http;
    private final Clock clock;

    public OpenAiResponsesAdapter(UpstreamHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private static dev.tokenproxy.domain.classify.ClassificationRule failedWith(String code, Verdict verdict) {
        return fault(Fault.STREAM_BROKEN_BEFORE_OUTPUT, verdict).withErrorCode(code).forProvider(PROVIDER);
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        boolean chat = request.format() == InboundFormat.CHAT;
        Optional<byte[]> body = chat
                ? ChatToResponsesRequest.convert(request.body(), request.upstreamModel())
                : Optional.of(ResponsesRequestBody.forUpstream(request.body(), request.upstreamModel()));
        if (body.isEmpty()) {
            return notConvertible();
        }
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "responses"),
                    OpenAiWire.requestHeaders(request), body.get(),
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, failure.fault()), null);
        }
        try {
            AttemptSignal answered = AttemptSignal.http(PROVIDER, exchange.status());
            if (exchange.status() < 200 || exchange.status() >= 300) {
                // Retryable statuses are never streamed (behaviour §6), so every non-2xx is read whole.
                return rejected(exchange, answered);
            }
            String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
            if (request.stream()) {
                return stream(exchange, answered, chat
                        ? new ResponsesToChatStreamDialect(PROVIDER, echoModel, includeUsage(request.body()))
                        : new ResponsesStreamDialect(PROVIDER, echoModel));
            }
            return response(exchange, answered, echoModel, chat);
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }

    private AttemptOutcome<UpstreamReply> rejected(UpstreamExchange exchange, AttemptSignal answered) {
        exchange.outputStarted();
        AttemptSignal signal = answered.withWaitHint(
                exchange.header("retry-after").flatMap(value -> RetryAfterHeader.parse(value, clock.instant())));
        try (exchange) {
            byte[] body = exchange.readBody();
            return TABLE.outcome(OpenAiErrorBody.describe(signal, body), OpenAiWire.buffered(exchange, body));
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded();
            }
            // The status and any wait hint still count; the broken body cannot be delivered.
            return TABLE.outcome(signal.withFault(failure.fault()), null);
        }
    }

    /** A non-stream response object: deliverable when completed with output or incomplete; failed per its error. */
    private AttemptOutcome<UpstreamReply> response(UpstreamExchange exchange, AttemptSignal answered, String echoModel,
                                                   boolean chat) {
        exchange.outputStarted();
        byte[] body;
        try (exchange) {
            body = exchange.readBody();
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded();
            }
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, failure.fault()), null);
        }
        Optional<ObjectNode> parsed = ChatJson.object(body);
        // A 2xx that is not a response object (an HTML page, an error document) has nothing to deliver.
        if (parsed.isEmpty() || !parsed.get().has("output") && !parsed.get().has("status")) {
            return rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        }
        ObjectNode response = parsed.get();
        String status = ChatJson.scalar(response, "status");
        if ("failed".equals(status) || "cancelled".equals(status)) {
            return failed(response.get("error"));
        }
        if (status != null && !"completed".equals(status) && !"incomplete".equals(status)) {
            // queued / in_progress: a background response, nothing a client can use now.
            return rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        }
        if (!"incomplete".equals(status) && ResponsesOutput.isEmpty(response)) {
            return rejected2xx(Fault.EMPTY_COMPLETION);
        }
        byte[] delivered = body;
        if (chat) {
            Optional<byte[]> completion = ResponseToChatCompletion.convert(body);
            if (completion.isEmpty()) {
                return rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
            }
            delivered = completion.get();
        }
        if (echoModel != null) {
            delivered = ChatJson.bytes(ChatJson.object(delivered).orElseThrow().put("model", echoModel));
        }
        return TABLE.outcome(answered, OpenAiWire.buffered(exchange, delivered));
    }

    private AttemptOutcome<UpstreamReply> stream(UpstreamExchange exchange, AttemptSignal answered,
                                                 StreamDialect<SseItem> dialect) {
        var gate = new PreOutputGate<>(new SseFrameSource(exchange), dialect);
        return switch (gate.open()) {
            case PreOutputGate.Opening.Committed committed -> TABLE.outcome(answered,
                    new UpstreamReply.Streaming(exchange.status(), OpenAiWire.streamHeaders(exchange),
                            committed.stream()));
            case PreOutputGate.Opening.Failed failed -> withErrorReply(failed.signal(), null);
        };
    }

    /** A response that failed after 200: classified by its error code, answered with it if it is the last word. */
    private AttemptOutcome<UpstreamReply> failed(JsonNode error) {
        return withErrorReply(ResponsesFailure.signal(PROVIDER, error), error);
    }

    /**
     * The outcome of a failure, carrying the upstream's error as an OpenAI error body under the status the table
     * gives it, so a request-scoped rejection (Fatal) has its answer and a remembered failure its reason.
     * A stream failure without an upstream error code (a reset, a silent upstream) has no body to show.
     */
    private AttemptOutcome<UpstreamReply> withErrorReply(AttemptSignal signal, JsonNode error) {
        if (signal.errorCode() == null && error == null) {
            return TABLE.outcome(signal, null);
        }
        int status = TABLE.verdict(signal).status(signal.status());
        JsonNode described = error != null ? error : ChatJson.MAPPER.createObjectNode()
                .put("code", signal.errorCode()).put("type", signal.errorType())
                .put("message", "The upstream failed the response: " + signal.errorCode() + ".");
        var reply = new UpstreamReply.Buffered(status, Map.of("content-type", "application/json"),
                ResponsesFailure.errorBody(described));
        return TABLE.outcome(signal, reply);
    }

    /** The client's request has a shape this conversion cannot carry: fatal, since no upstream of this kind can. */
    private AttemptOutcome<UpstreamReply> notConvertible() {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, 400)
                .withError("invalid_request_error", "unsupported_conversion", true),
                OpenAiWire.notConvertibleReply("Responses", "an unknown response_format type"));
    }

    /** The gateway's own memory budget was spent: a 503 for the client, and no retry. */
    private AttemptOutcome<UpstreamReply> overloaded() {
        return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.GATEWAY_OVERLOADED), OpenAiWire.overloadedReply());
    }

    private AttemptOutcome<UpstreamReply> rejected2xx(Fault fault) {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, REJECTED_2XX_STATUS).withFault(fault), null);
    }

    /** Whether a Chat client asked for the usage chunk; a Responses stream always ends with usage to give it. */
    private static boolean includeUsage(byte[] chatBody) {
        return ChatJson.object(chatBody)
                .map(body -> body.path("stream_options").path("include_usage").asBoolean(false))
                .orElse(false);
    }

}
