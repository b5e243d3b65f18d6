package dev.tokenproxy.adapter.out.upstream.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatCompletionCheck;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.messages.ChatCompletionToMessage;
import dev.tokenproxy.adapter.out.upstream.format.messages.ChatToMessagesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesToChatRequest;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.format.responses.ChatCompletionToResponse;
import dev.tokenproxy.adapter.out.upstream.format.responses.ChatToResponsesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesToChatRequest;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.sse.SseFrameSource;
import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code openai} provider: OpenAI Chat Completions ({@code POST {base}/chat/completions}, protocols §1) for
 * {@code chat} clients, and for {@code responses} and {@code messages} clients by conversion. It injects the upstream credential, renames the model when mapped, and turns what came back
 * into an {@link AttemptSignal} that the classification table decides on; the adapter itself never picks an outcome.
 */
public final class OpenAiChatAdapter implements SendAttemptPort {

    public static final String PROVIDER = "openai";

    /**
     * Chat natively; Responses and Anthropic Messages clients by converting requests to Chat and answers back
     * (allow_conversion).
     */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER, Set.of(InboundFormat.CHAT),
            Set.of(InboundFormat.RESPONSES, InboundFormat.MESSAGES));

    /** OpenAI needs no rows beyond the defaults, which were written from its error codes. */
    static final List<ClassificationRule> RULES = List.of();
    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RULES);

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    private static final int REJECTED_2XX_STATUS = 502;

    private final UpstreamHttpClient http;
    private final Clock clock;

    public OpenAiChatAdapter(UpstreamHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        InboundFormat client = request.format();
        Optional<BodyBytes> chatBody = switch (client) {
            case CHAT -> Optional.of(ChatRequestBody.forUpstream(request));
            case RESPONSES -> ResponsesToChatRequest.convert(request.body().bytes(), request.upstreamModel())
                    .map(BodyBytes::of);
            case MESSAGES -> MessagesToChatRequest.convert(request.body().bytes(), request.upstreamModel())
                    .map(BodyBytes::of);
        };
        if (chatBody.isEmpty()) {
            return notConvertible(client);
        }
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "chat/completions"),
                    OpenAiWire.requestHeaders(request), chatBody.get(),
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, failure.fault()), null);
        }
        try {
            AttemptSignal answered = AttemptSignal.http(PROVIDER, exchange.status());
            if (exchange.status() < 200 || exchange.status() >= 300) {
                // Retryable statuses are never streamed (behaviour §6), so every non-2xx is read whole.
                return rejected(exchange, answered, client);
            }
            String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
            if (request.stream()) {
                return stream(exchange, answered, switch (client) {
                    case CHAT -> new ChatStreamDialect(PROVIDER, echoModel);
                    case RESPONSES -> new ChatToResponsesStreamDialect(PROVIDER, echoModel, clock, newResponseId());
                    case MESSAGES -> new ChatToMessagesStreamDialect(PROVIDER, echoModel);
                });
            }
            var outcome = completion(exchange, answered, echoModel, client);
            return switch (client) {
                case CHAT -> outcome;
                case RESPONSES -> asResponse(outcome);
                case MESSAGES -> asMessage(outcome);
            };
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }

    /**
     * A non-2xx answer, classified from the upstream's own body; a Messages client gets it in Anthropic's shape, the
     * others share the OpenAI shape with Chat.
     */
    private AttemptOutcome<UpstreamReply> rejected(UpstreamExchange exchange, AttemptSignal answered,
                                                   InboundFormat client) {
        exchange.outputStarted();
        AttemptSignal signal = answered.withWaitHint(
                exchange.header("retry-after").flatMap(value -> RetryAfterHeader.parse(value, clock.instant())));
        try (exchange) {
            byte[] body = exchange.readBody();
            byte[] shown = client == InboundFormat.MESSAGES ? MessagesErrorBody.fromOpenAi(exchange.status(), body) : body;
            return TABLE.outcome(OpenAiErrorBody.describe(signal, body), OpenAiWire.buffered(exchange, shown));
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded(client);
            }
            // The status and any wait hint still count; the broken body cannot be delivered.
            return TABLE.outcome(signal.withFault(failure.fault()), null);
        }
    }

    private AttemptOutcome<UpstreamReply> completion(UpstreamExchange exchange, AttemptSignal answered,
                                                     String echoModel, InboundFormat client) {
        exchange.outputStarted();
        byte[] body;
        try (exchange) {
            body = exchange.readBody();
        } catch (TransportFailure failure) {
            if (failure.fault() == Fault.GATEWAY_OVERLOADED) {
                return overloaded(client);
            }
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, failure.fault()), null);
        }
        // Echoing the model rewrites the body, which needs its tree; otherwise the body goes out as it came.
        Optional<ObjectNode> tree = echoModel == null ? Optional.empty() : ChatJson.object(body);
        var reading = echoModel == null ? ChatCompletionCheck.read(body)
                : new ChatCompletionCheck.Reading(ChatCompletionCheck.ofTree(tree), TokenUsage.NONE);
        return switch (reading.verdict()) {
            // A 2xx that is not a completion (an HTML page, an error document) has nothing to deliver, just like a
            // stream that broke before output.
            case NOT_A_COMPLETION -> rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
            case EMPTY -> rejected2xx(Fault.EMPTY_COMPLETION);
            case DELIVERABLE -> withUsage(TABLE.outcome(answered, OpenAiWire.buffered(exchange,
                    echoModel == null ? body : ChatJson.bytes(tree.orElseThrow().put("model", echoModel)))),
                    reading.usage());
        };
    }

    /** The usage the check read on its way, so that the usage reader need not read the body again. */
    private static AttemptOutcome<UpstreamReply> withUsage(AttemptOutcome<UpstreamReply> outcome, TokenUsage usage) {
        return outcome instanceof AttemptOutcome.Success<UpstreamReply> success && !usage.isNone()
                ? success.withUsage(usage) : outcome;
    }

    private AttemptOutcome<UpstreamReply> stream(UpstreamExchange exchange, AttemptSignal answered,
                                                 StreamDialect<SseItem> dialect) {
        var gate = new PreOutputGate<>(new SseFrameSource(exchange), dialect);
        return switch (gate.open()) {
            case PreOutputGate.Opening.Committed committed -> TABLE.outcome(answered,
                    new UpstreamReply.Streaming(exchange.status(), OpenAiWire.streamHeaders(exchange),
                            committed.stream()));
            case PreOutputGate.Opening.Failed failed -> TABLE.outcome(failed.signal(), null);
        };
    }

    /** A delivered chat completion, answered to a Responses client as a response object. */
    private AttemptOutcome<UpstreamReply> asResponse(AttemptOutcome<UpstreamReply> outcome) {
        if (outcome instanceof AttemptOutcome.Success<UpstreamReply> success && success.is2xx()
                && success.response() instanceof UpstreamReply.Buffered chat) {
            return ChatCompletionToResponse.convert(chat.body())
                    .<AttemptOutcome<UpstreamReply>>map(body -> new AttemptOutcome.Success<>(success.status(),
                            new UpstreamReply.Buffered(chat.status(), chat.headers(), body)))
                    .orElseGet(() -> rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT));
        }
        // Errors stay as the upstream wrote them: Chat and Responses share the OpenAI error shape.
        return outcome;
    }

    /** A delivered chat completion, answered to a Messages client as an Anthropic message. */
    private AttemptOutcome<UpstreamReply> asMessage(AttemptOutcome<UpstreamReply> outcome) {
        if (outcome instanceof AttemptOutcome.Success<UpstreamReply> success && success.is2xx()
                && success.response() instanceof UpstreamReply.Buffered chat) {
            return ChatCompletionToMessage.convert(chat.body())
                    .<AttemptOutcome<UpstreamReply>>map(body -> new AttemptOutcome.Success<>(success.status(),
                            new UpstreamReply.Buffered(chat.status(), chat.headers(), body)))
                    .orElseGet(() -> rejected2xx(Fault.STREAM_BROKEN_BEFORE_OUTPUT));
        }
        // Errors were already written in Anthropic's shape by rejected().
        return outcome;
    }

    /** The client's request has a shape this conversion cannot carry: fatal, since no upstream of this kind can. */
    private AttemptOutcome<UpstreamReply> notConvertible(InboundFormat client) {
        UpstreamReply.Buffered openAi = OpenAiWire.notConvertibleReply("Chat Completions",
                client == InboundFormat.MESSAGES ? "a tool_choice of an unknown type" : "an unknown text.format type");
        return TABLE.outcome(AttemptSignal.http(PROVIDER, 400)
                .withError("invalid_request_error", "unsupported_conversion", true), inClientShape(openAi, client));
    }

    private static String newResponseId() {
        return "resp_" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    /** The gateway's own memory budget was spent: a 503 for the client, and no retry. */
    private AttemptOutcome<UpstreamReply> overloaded(InboundFormat client) {
        return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.GATEWAY_OVERLOADED),
                inClientShape(OpenAiWire.overloadedReply(), client));
    }

    /** One of the gateway's own OpenAI-shaped replies, in Anthropic's shape for a Messages client. */
    private static UpstreamReply.Buffered inClientShape(UpstreamReply.Buffered openAi, InboundFormat client) {
        if (client != InboundFormat.MESSAGES) {
            return openAi;
        }
        return new UpstreamReply.Buffered(openAi.status(), openAi.headers(),
                MessagesErrorBody.fromOpenAi(openAi.status(), openAi.body()));
    }

    private AttemptOutcome<UpstreamReply> rejected2xx(Fault fault) {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, REJECTED_2XX_STATUS).withFault(fault), null);
    }

}
