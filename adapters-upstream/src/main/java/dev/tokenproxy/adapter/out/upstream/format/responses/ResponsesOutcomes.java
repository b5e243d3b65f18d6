package dev.tokenproxy.adapter.out.upstream.format.responses;

import static dev.tokenproxy.domain.classify.ClassificationRule.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrameSource;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.FrameSource;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * What a Responses answer comes to, under one provider's classification table: the post-processing every provider
 * that speaks Responses upstream shares (OpenAI's Responses API, the Codex backend). The provider decides how to
 * send, which headers and which table; this class reads a rejection, gates a stream, judges a final response object
 * and writes the error replies, the same way for all of them.
 */
public final class ResponsesOutcomes {

    private final String provider;
    private final ClassificationTable table;
    private final Clock clock;

    public ResponsesOutcomes(String provider, ClassificationTable table, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A Responses upstream reports some failures after HTTP 200, as a {@code failed} response or an {@code error}
     * event; their signal is "nothing deliverable from a 2xx" with the upstream's code (see {@link ResponsesFailure}).
     * These rows give those codes the meaning the default rows give them under an HTTP status: a request-scoped
     * rejection stops everything (400), a rate limit fails over and cools for the wait the message names (429), a
     * spent quota is a billing failure of the credential. Any other code stays a failure before output.
     */
    public static List<ClassificationRule> failedCodeRules(String provider) {
        return List.of(
                failedWith(provider, "context_length_exceeded", Verdict.FATAL.withStatus(400)),
                failedWith(provider, "content_policy_violation", Verdict.FATAL.withStatus(400)),
                failedWith(provider, "content_filter", Verdict.FATAL.withStatus(400)),
                failedWith(provider, "insufficient_quota",
                        Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL).withStatus(429)),
                failedWith(provider, "rate_limit_exceeded",
                        Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT).withStatus(429)));
    }

    /** A row for an upstream error code that failed a response after HTTP 200. */
    public static ClassificationRule failedWith(String provider, String code, Verdict verdict) {
        return fault(Fault.STREAM_BROKEN_BEFORE_OUTPUT, verdict).withErrorCode(code).forProvider(provider);
    }

    /** Classifies a transport failure that came before any response. */
    public AttemptOutcome<UpstreamReply> notAnswered(TransportFailure failure) {
        return table.outcome(AttemptSignal.fault(provider, failure.fault()), null);
    }

    /**
     * A non-2xx answer, read whole (retryable statuses are never streamed, behaviour §6). {@code describe} reads what
     * the body says into the signal (which already carries any {@code Retry-After}); {@code shown} is the body the
     * client would get.
     */
    public AttemptOutcome<UpstreamReply> rejected(UpstreamExchange exchange, AttemptSignal answered,
                                                  BiFunction<AttemptSignal, byte[], AttemptSignal> describe,
                                                  UnaryOperator<byte[]> shown) {
        exchange.outputStarted();
        AttemptSignal signal = answered.withWaitHint(
                exchange.header("retry-after").flatMap(value -> RetryAfterHeader.parse(value, clock.instant())));
        try (exchange) {
            byte[] body = exchange.readBody();
            return table.outcome(describe.apply(signal, body), OpenAiWire.buffered(exchange, shown.apply(body)));
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded();
            }
            // The status and any wait hint still count; the broken body cannot be delivered.
            return table.outcome(signal.withFault(failure.fault()), null);
        }
    }

    /** A stream of Responses events, gated at the pre-output boundary and translated by {@code dialect}. */
    public AttemptOutcome<UpstreamReply> stream(UpstreamExchange exchange, AttemptSignal answered,
                                                StreamDialect<SseItem> dialect) {
        return stream(new SseFrameSource(exchange), OpenAiWire.streamHeaders(exchange), answered, dialect);
    }

    /**
     * The same for events that come from elsewhere than an HTTP exchange (the in-process {@code mock} provider), so
     * that they meet the same gate and the same classification as a real upstream's.
     */
    public AttemptOutcome<UpstreamReply> stream(FrameSource<SseItem> source, Map<String, String> headers,
                                                AttemptSignal answered, StreamDialect<SseItem> dialect) {
        return switch (new PreOutputGate<>(source, dialect).open()) {
            case PreOutputGate.Opening.Committed committed -> table.outcome(answered,
                    new UpstreamReply.Streaming(answered.status(), headers, committed.stream()));
            case PreOutputGate.Opening.Failed failed -> withErrorReply(failed.signal(), null);
        };
    }

    /**
     * A stream read to its end for a non-stream client: gated first (so a failure before output stays a clean
     * failure), then aggregated into its final response object and judged like a non-stream answer.
     */
    public AttemptOutcome<UpstreamReply> aggregated(UpstreamExchange exchange, AttemptSignal answered,
                                                    String echoModel, boolean chat) {
        return switch (gate(exchange, new ResponsesStreamDialect(provider, null))) {
            case PreOutputGate.Opening.Committed committed -> {
                Optional<byte[]> response = ResponsesStreamAggregate.collect(committed.stream());
                if (response.isEmpty()) {
                    yield rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
                }
                var headers = OpenAiWire.forwardedHeaders(exchange);
                headers.put("content-type", "application/json");
                yield finished(response.get(), answered, headers, echoModel, chat);
            }
            case PreOutputGate.Opening.Failed failed -> withErrorReply(failed.signal(), null);
        };
    }

    /** A body read in full failed: the gateway's own budget, or the upstream's transport. */
    public AttemptOutcome<UpstreamReply> bodyNotRead(TransportFailure failure) {
        if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
            return overloaded();
        }
        return notAnswered(failure);
    }

    /**
     * A final response object: deliverable when completed with output or incomplete; failed per its error; for a
     * Chat client converted to a completion; under the client's model name when {@code echoModel} is set.
     */
    public AttemptOutcome<UpstreamReply> finished(byte[] body, AttemptSignal answered, Map<String, String> headers,
                                                  String echoModel, boolean chat) {
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
        return table.outcome(answered, new UpstreamReply.Buffered(answered.status(), headers, delivered));
    }

    /** The client's request has a shape this conversion cannot carry: fatal, since no upstream of this kind can. */
    public AttemptOutcome<UpstreamReply> notConvertible() {
        return table.outcome(AttemptSignal.http(provider, 400)
                        .withError("invalid_request_error", "unsupported_conversion", true),
                OpenAiWire.notConvertibleReply("Responses", "an unknown response_format type"));
    }

    /** Whether a Chat client asked for the usage chunk; a Responses stream always ends with usage to give it. */
    public static boolean includeUsage(BodyBytes chatBody) {
        return ChatRequestBody.includeUsage(chatBody);
    }

    private PreOutputGate.Opening gate(UpstreamExchange exchange, StreamDialect<SseItem> dialect) {
        return new PreOutputGate<>(new SseFrameSource(exchange), dialect).open();
    }

    /** A response that failed after 200: classified by its error code, answered with it if it is the last word. */
    private AttemptOutcome<UpstreamReply> failed(JsonNode error) {
        return withErrorReply(ResponsesFailure.signal(provider, error), error);
    }

    /**
     * The outcome of a failure, carrying the upstream's error as an OpenAI error body under the status the table
     * gives it, so a request-scoped rejection (Fatal) has its answer and a remembered failure its reason.
     * A stream failure without an upstream error code (a reset, a silent upstream) has no body to show.
     */
    private AttemptOutcome<UpstreamReply> withErrorReply(AttemptSignal signal, JsonNode error) {
        if (signal.errorCode() == null && error == null) {
            return table.outcome(signal, null);
        }
        int status = table.verdict(signal).status(signal.status());
        JsonNode described = error != null ? error : ChatJson.mapper().createObjectNode()
                .put("code", signal.errorCode()).put("type", signal.errorType())
                .put("message", "The upstream failed the response: " + signal.errorCode() + ".");
        var reply = new UpstreamReply.Buffered(status, Map.of("content-type", "application/json"),
                ResponsesFailure.errorBody(described));
        return table.outcome(signal, reply);
    }

    /** The gateway's own memory budget was spent: a 503 for the client, and no retry. */
    private AttemptOutcome<UpstreamReply> overloaded() {
        return table.outcome(AttemptSignal.fault(provider, Fault.GATEWAY_OVERLOADED), OpenAiWire.overloadedReply());
    }

    private AttemptOutcome<UpstreamReply> rejected2xx(Fault fault) {
        return table.outcome(AttemptSignal.http(provider, ResponsesFailure.REJECTED_2XX_STATUS).withFault(fault), null);
    }
}
