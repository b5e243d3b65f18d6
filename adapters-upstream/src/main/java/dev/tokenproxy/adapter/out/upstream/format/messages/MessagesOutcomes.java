package dev.tokenproxy.adapter.out.upstream.format.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatOutput;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrameSource;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a Messages answer comes to, under one provider's classification table: reads a rejection, gates a stream,
 * judges a final {@code message} and writes the error replies in Anthropic's shape. Any provider whose upstream
 * answers in Messages (the {@code anthropic} API, a converted Kiro stream) shares it; the provider decides how to
 * send, with which headers and under which table.
 */
public final class MessagesOutcomes {

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    static final int REJECTED_2XX_STATUS = 502;

    /** Response headers worth passing on: how to read the body, when to come back. */
    private static final List<String> FORWARDED_HEADERS = List.of("content-type", "retry-after");

    private final String provider;
    private final ClassificationTable table;
    private final Clock clock;
    /** The client speaks Chat: answers become completions, error bodies take the OpenAI shape. */
    private final boolean chatClient;

    public MessagesOutcomes(String provider, ClassificationTable table, Clock clock) {
        this(provider, table, clock, false);
    }

    private MessagesOutcomes(String provider, ClassificationTable table, Clock clock, boolean chatClient) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.chatClient = chatClient;
    }

    /**
     * The same judgements for Chat clients of this upstream: a final {@code message} is delivered as a chat completion
     * (and judged empty by Chat's rule as well), every error body is written in the OpenAI shape. Classification still
     * reads the upstream's own body, so the outcome does not depend on what the client speaks.
     */
    public MessagesOutcomes forChatClients() {
        return new MessagesOutcomes(provider, table, clock, true);
    }

    /** Classifies a transport failure that came before any response. */
    public AttemptOutcome<UpstreamReply> notAnswered(TransportFailure failure) {
        return table.outcome(AttemptSignal.fault(provider, failure.fault()), null);
    }

    /**
     * A non-2xx answer, read whole (retryable statuses are never streamed, behaviour §6) and classified by its status,
     * its error type and its {@code retry-after}; delivered as the upstream wrote it when it is the last word.
     */
    public AttemptOutcome<UpstreamReply> rejected(UpstreamExchange exchange) {
        exchange.outputStarted();
        AttemptSignal signal = AttemptSignal.http(provider, exchange.status()).withWaitHint(
                exchange.header("retry-after").flatMap(value -> RetryAfterHeader.parse(value, clock.instant())));
        try (exchange) {
            byte[] body = exchange.readBody();
            return table.outcome(MessagesErrorBody.describe(signal, body),
                    new UpstreamReply.Buffered(exchange.status(), forwardedHeaders(exchange), shown(body)));
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded();
            }
            // The status and any wait hint still count; the broken body cannot be delivered.
            return table.outcome(signal.withFault(failure.fault()), null);
        }
    }

    /** A stream of Messages events, gated at the pre-output boundary and translated by {@code dialect}. */
    public AttemptOutcome<UpstreamReply> stream(UpstreamExchange exchange, StreamDialect<SseItem> dialect) {
        AttemptSignal answered = AttemptSignal.http(provider, exchange.status());
        Map<String, String> headers = forwardedHeaders(exchange);
        headers.putIfAbsent("content-type", "text/event-stream");
        return switch (new PreOutputGate<>(new SseFrameSource(exchange), dialect).open()) {
            case PreOutputGate.Opening.Committed committed -> table.outcome(answered,
                    new UpstreamReply.Streaming(answered.status(), headers, committed.stream()));
            case PreOutputGate.Opening.Failed failed -> withErrorReply(failed.signal());
        };
    }

    /** A non-stream answer, read whole and judged: a {@code message} with content, under the client's model if asked. */
    public AttemptOutcome<UpstreamReply> message(UpstreamExchange exchange, String echoModel) {
        exchange.outputStarted();
        byte[] body;
        try (exchange) {
            body = exchange.readBody();
        } catch (TransportFailure failure) {
            return failure.fault() == Fault.GATEWAY_OVERLOADED ? overloaded() : notAnswered(failure);
        }
        return finished(body, AttemptSignal.http(provider, exchange.status()), forwardedHeaders(exchange), echoModel);
    }

    /** A final {@code message} object, from whatever produced it. */
    public AttemptOutcome<UpstreamReply> finished(byte[] body, AttemptSignal answered, Map<String, String> headers,
                                                  String echoModel) {
        Optional<ObjectNode> parsed = ChatJson.object(body);
        // A 2xx that is not a message (an HTML page, an error document) has nothing to deliver.
        if (parsed.isEmpty() || !MessagesOutput.isMessage(parsed.get())) {
            return rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        }
        if (MessagesOutput.isEmpty(parsed.get())) {
            return rejected2xx(Fault.EMPTY_COMPLETION);
        }
        byte[] delivered = body;
        if (chatClient) {
            Optional<ObjectNode> completion = MessageToChatCompletion.convert(body, clock.instant().getEpochSecond())
                    .flatMap(ChatJson::object);
            if (completion.isEmpty()) {
                return rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
            }
            // Only text blocks that were all empty: a Messages answer, but Chat's empty completion (behaviour §2).
            if (ChatOutput.isEmptyCompletion(completion.get())) {
                return rejected2xx(Fault.EMPTY_COMPLETION);
            }
            delivered = ChatJson.bytes(completion.get());
        }
        if (echoModel != null) {
            delivered = ChatJson.bytes(ChatJson.object(delivered).orElseThrow().put("model", echoModel));
        }
        return table.outcome(answered, new UpstreamReply.Buffered(answered.status(), headers, delivered));
    }

    /**
     * The outcome of a stream that failed before output. An upstream {@code error} event that the table finds fatal
     * (a request-scoped rejection) is answered with that error in Anthropic's shape under the table's status; a
     * failure without an upstream error type (a reset, a silent upstream) has no body to show.
     */
    private AttemptOutcome<UpstreamReply> withErrorReply(AttemptSignal signal) {
        if (signal.errorType() == null) {
            return table.outcome(signal, null);
        }
        int status = table.verdict(signal).status(signal.status());
        var reply = new UpstreamReply.Buffered(status, Map.of("content-type", "application/json"),
                shown(MessagesErrorBody.body(signal.errorType(), "The upstream failed the response: "
                        + signal.errorType() + ".")));
        return table.outcome(signal, reply);
    }

    /** The gateway's own memory budget was spent: a 503 in Anthropic's shape, and no retry. */
    public AttemptOutcome<UpstreamReply> overloaded() {
        return table.outcome(AttemptSignal.fault(provider, Fault.GATEWAY_OVERLOADED),
                new UpstreamReply.Buffered(503, Map.of("content-type", "application/json", "retry-after", "1"),
                        shown(MessagesErrorBody.body("overloaded_error",
                                "The gateway is at its limit of bytes in flight; retry shortly."))));
    }

    /** An error body in Anthropic's shape as the client reads errors. */
    private byte[] shown(byte[] anthropicBody) {
        return chatClient ? MessagesErrorBody.asOpenAi(anthropicBody) : anthropicBody;
    }

    private AttemptOutcome<UpstreamReply> rejected2xx(Fault fault) {
        return table.outcome(AttemptSignal.http(provider, REJECTED_2XX_STATUS).withFault(fault), null);
    }

    /** The upstream's {@code request-id} is renamed: the client's {@code x-request-id} is the gateway's own. */
    private static Map<String, String> forwardedHeaders(UpstreamExchange exchange) {
        var headers = new LinkedHashMap<String, String>();
        for (String name : FORWARDED_HEADERS) {
            exchange.header(name).ifPresent(value -> headers.put(name, value));
        }
        exchange.header("request-id").ifPresent(value -> headers.put(OpenAiWire.UPSTREAM_REQUEST_ID, value));
        return headers;
    }
}
