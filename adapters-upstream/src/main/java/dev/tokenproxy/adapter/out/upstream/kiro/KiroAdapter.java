package dev.tokenproxy.adapter.out.upstream.kiro;

import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamFrameSource;
import dev.tokenproxy.adapter.out.upstream.eventstream.EventStreamMessage;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.ChatToMessagesRequest;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesToChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.adapter.out.upstream.stream.SseChainedDialect;
import dev.tokenproxy.adapter.out.upstream.stream.StreamDialect;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.ProviderDescriptor.CredentialKind;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The {@code kiro} provider: Claude through Kiro (AWS CodeWhisperer / Amazon Q, protocols.md §4) with logged-in Kiro
 * accounts. The Anthropic Messages request becomes Kiro's conversation body; Kiro's binary event stream comes back as
 * Anthropic SSE, or as one {@code message} for a non-stream client, through the shared pre-output gate. Chat clients
 * are served by conversion: their request becomes a Messages request first, and the Messages answer a completion or
 * Chat chunks (the Messages → Chat dialect reading the Kiro dialect's output). A 429 of the
 * CodeWhisperer endpoint is answered by the Amazon Q endpoint within the same attempt, at once and only while the
 * deadline allows (ADR 0009); every other wait becomes a cooldown.
 */
public final class KiroAdapter implements SendAttemptPort {

    public static final String PROVIDER = KiroTokenRefresher.PROVIDER;

    /**
     * Messages natively (Kiro answers in events that map onto Anthropic's); Chat by converting to Messages and back
     * (allow_conversion); logged-in accounts, never API keys.
     */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.MESSAGES), Set.of(InboundFormat.CHAT), CredentialKind.ACCOUNTS);

    /**
     * How long a suspended account rests. Kiro lifts a temporary suspension only after a person acts, so the account
     * is cooled for as long as a hint may cool anything ({@code cooldown.hint_max_seconds} caps it) and never retried
     * by the requests in between.
     */
    static final Duration SUSPENDED_COOLDOWN = Duration.ofDays(1);

    private static final System.Logger LOG = System.getLogger(KiroAdapter.class.getName());

    /**
     * protocols.md §4 "Errors", as rows. A 403 whose message says the bearer token is invalid is a stale token like a
     * 401: reported as 401, so the failover loop refreshes once and resends (ADR 0009). A suspended account and a spent
     * monthly quota (402, or 400 with that reason) are the account's failure; so is "suspicious activity", a 429
     * that lasts. A lack of model capacity is transient, whatever its status. A {@code ValidationException} (the
     * prompt, the model id) is the request's own fault: no account could take it. 401, the other 402/403, 429 and
     * 5xx are the defaults' rows.
     */
    static final List<ClassificationRule> RULES = List.of(
            status(403, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL).withStatus(401))
                    .withErrorCode(KiroErrorBody.BEARER_TOKEN_INVALID).forProvider(PROVIDER),
            status(403, Verdict.retry(RetryReason.ACCOUNT_SUSPENDED, CooldownKind.CREDENTIAL))
                    .withErrorCode(KiroErrorBody.TEMPORARILY_SUSPENDED).forProvider(PROVIDER),
            status(400, 402, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL).withStatus(402))
                    .withErrorCode(KiroErrorBody.MONTHLY_REQUEST_COUNT).forProvider(PROVIDER),
            status(429, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL))
                    .withErrorCode(KiroErrorBody.SUSPICIOUS_ACTIVITY).forProvider(PROVIDER),
            status(400, 429, Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT).withStatus(429))
                    .withErrorCode(KiroErrorBody.INSUFFICIENT_MODEL_CAPACITY).forProvider(PROVIDER),
            status(400, Verdict.FATAL).withErrorType(KiroErrorBody.VALIDATION_EXCEPTION).forProvider(PROVIDER));

    static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RULES);

    private final UpstreamHttpClient http;
    private final Clock clock;
    private final MessagesOutcomes outcomes;
    private final MessagesOutcomes chatOutcomes;

    public KiroAdapter(UpstreamHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.outcomes = new MessagesOutcomes(PROVIDER, TABLE, clock);
        this.chatOutcomes = outcomes.forChatClients();
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        boolean chat = request.format() == InboundFormat.CHAT;
        Optional<ObjectNode> messagesRequest = chat
                ? ChatToMessagesRequest.convert(request.body().bytes(), request.upstreamModel())
                        .flatMap(ChatJson::object)
                : ChatJson.object(request.body().bytes());
        if (messagesRequest.isEmpty()) {
            return chat ? notConvertible() : notAMessagesRequest();
        }
        MessagesOutcomes judged = chat ? chatOutcomes : outcomes;
        messagesRequest.get().put("model", request.upstreamModel());
        Map<String, String> attributes = request.credential() instanceof Credential.Account account
                ? account.attributes() : Map.of();
        boolean idc = attributes.containsKey(KiroTokenRefresher.CLIENT_ID)
                && attributes.containsKey(KiroTokenRefresher.CLIENT_SECRET);
        String conversationId = UUID.randomUUID().toString();
        List<KiroEndpoint> endpoints = KiroEndpoint.forBase(request.upstream().baseUrl(), idc);

        AttemptOutcome<UpstreamReply> outcome = null;
        for (KiroEndpoint endpoint : endpoints) {
            ExchangeLimits limits = ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant());
            // The fallback is immediate, never a wait; with nothing left of the deadline the 429 stands.
            if (outcome != null && limits.untilDeadline().isZero()) {
                return outcome;
            }
            KiroRequestBody body = KiroRequestBody.from(messagesRequest.get(), endpoint.origin(),
                    Optional.ofNullable(attributes.get(KiroTokenRefresher.PROFILE_ARN)), conversationId);
            UpstreamExchange exchange;
            try {
                exchange = http.post(endpoint.uri(),
                        KiroRequestHeaders.of(endpoint, request.credential().secret().reveal(), idc), body.json(),
                        limits);
            } catch (TransportFailure failure) {
                return judged.notAnswered(failure);
            }
            try {
                if (exchange.status() >= 200 && exchange.status() < 300) {
                    return answered(request, exchange, body, judged);
                }
                outcome = rejected(request, exchange, judged);
            } catch (RuntimeException bug) {
                // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
                exchange.abort();
                throw bug;
            }
            // ADR 0009: only a 429 moves to the other endpoint; a 401/403 or a 5xx is shared by both.
            if (exchange.status() != 429) {
                return outcome;
            }
        }
        return outcome;
    }

    /**
     * A 200 event stream, gated at the pre-output boundary; aggregated into one message for a non-stream client (a
     * completion for a Chat client, by {@code judged}).
     */
    private AttemptOutcome<UpstreamReply> answered(AttemptRequest request, UpstreamExchange exchange,
                                                   KiroRequestBody body, MessagesOutcomes judged) {
        String model = request.upstream().echoRequestedModel() ? request.requestedModel() : request.upstreamModel();
        var translator = new KiroToMessagesEvents("msg_" + UUID.randomUUID().toString().replace("-", ""), model,
                KiroToMessagesEvents.DEFAULT_CONTEXT_WINDOW_TOKENS, body::clientToolName);
        var aggregate = new KiroMessageAggregate();
        Consumer<ObjectNode> sink = request.stream() ? event -> { } : aggregate;
        StreamDialect<EventStreamMessage> dialect =
                forClient(request, new KiroStreamDialect(PROVIDER, translator, sink));
        AttemptSignal answered = AttemptSignal.http(PROVIDER, exchange.status());
        var headers = new LinkedHashMap<String, String>();
        exchange.header("x-amzn-requestid").ifPresent(id -> headers.put(OpenAiWire.UPSTREAM_REQUEST_ID, id));
        return switch (new PreOutputGate<>(new EventStreamFrameSource(exchange), dialect).open()) {
            case PreOutputGate.Opening.Failed failed -> TABLE.outcome(failed.signal(), null);
            case PreOutputGate.Opening.Committed committed when request.stream() -> {
                headers.put("content-type", "text/event-stream");
                yield TABLE.outcome(answered, new UpstreamReply.Streaming(exchange.status(), headers,
                        committed.stream()));
            }
            case PreOutputGate.Opening.Committed committed -> {
                headers.put("content-type", "application/json");
                // A body that broke after its first output never reached this client: nothing partial is delivered.
                byte[] message = drained(committed.stream()) ? aggregate.message().orElse(new byte[0]) : new byte[0];
                yield judged.finished(message, answered, headers, null);
            }
        };
    }

    /**
     * The dialect a streaming client reads: Kiro's as Messages events, or those events read on into Chat chunks. A
     * non-stream answer always gates on the Messages events, which its aggregate folds.
     */
    private StreamDialect<EventStreamMessage> forClient(AttemptRequest request, KiroStreamDialect messages) {
        if (!request.stream() || request.format() != InboundFormat.CHAT) {
            return messages;
        }
        // The Messages events already carry the model to answer with (echo_requested_model included).
        return new SseChainedDialect<>(messages, new MessagesToChatStreamDialect(PROVIDER, null,
                ChatRequestBody.includeUsage(request.body()), clock.instant().getEpochSecond()));
    }

    /** Pulls a committed stream to its end; false when it broke on the way. */
    private static boolean drained(ReplyStream stream) {
        try (stream) {
            while (stream.next() != null) {
                // The aggregate already saw every event as the gate translated it; the frames are not needed.
            }
            return stream.brokenAfterOutput().isEmpty();
        }
    }

    /**
     * A Kiro refusal, read whole and classified by its status, its {@code __type} and {@code reason}, and its
     * {@code Retry-After}; answered to the client in Anthropic's error shape (OpenAI's for a Chat client).
     */
    private AttemptOutcome<UpstreamReply> rejected(AttemptRequest request, UpstreamExchange exchange,
                                                   MessagesOutcomes judged) {
        exchange.outputStarted();
        AttemptSignal signal = AttemptSignal.http(PROVIDER, exchange.status()).withWaitHint(
                exchange.header("retry-after").flatMap(value -> RetryAfterHeader.parse(value, clock.instant())));
        byte[] body;
        try (exchange) {
            body = exchange.readBody();
        } catch (TransportFailure failure) {
            return failure.fault() == Fault.GATEWAY_OVERLOADED ? judged.overloaded()
                    : TABLE.outcome(signal.withFault(failure.fault()), null);
        }
        AttemptSignal described = KiroErrorBody.describe(signal, body, exchange.header("x-amzn-errortype"));
        if (KiroErrorBody.TEMPORARILY_SUSPENDED.equals(described.errorCode())) {
            described = suspended(request, described);
        }
        int status = TABLE.verdict(described).status(exchange.status());
        var headers = new LinkedHashMap<String, String>();
        headers.put("content-type", "application/json");
        exchange.header("retry-after").ifPresent(value -> headers.put("retry-after", value));
        byte[] shown = KiroErrorBody.shown(status, body);
        return TABLE.outcome(described, new UpstreamReply.Buffered(status, headers,
                request.format() == InboundFormat.CHAT ? MessagesErrorBody.asOpenAi(shown) : shown));
    }

    /**
     * A suspended account must not be tried again and again: it rests for {@link #SUSPENDED_COOLDOWN} (visible, and
     * clearable, with the other cooldowns) and the operator is told which account it is.
     */
    private static AttemptSignal suspended(AttemptRequest request, AttemptSignal signal) {
        LOG.log(Level.WARNING, "kiro account ''{0}'' of upstream ''{1}'' is suspended by Kiro (TEMPORARILY_SUSPENDED)",
                request.credential().key().credentialId(), request.upstream().id());
        return signal.withWaitHint(Optional.of(SUSPENDED_COOLDOWN));
    }

    private AttemptOutcome<UpstreamReply> notAMessagesRequest() {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, 400).withError(KiroErrorBody.VALIDATION_EXCEPTION, null,
                false), new UpstreamReply.Buffered(400, Map.of("content-type", "application/json"),
                MessagesErrorBody.body("invalid_request_error", "The request body is not an Anthropic Messages request.")));
    }

    /** The Chat request has a shape Messages cannot carry: fatal, since no Kiro account could take it. */
    private AttemptOutcome<UpstreamReply> notConvertible() {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, 400)
                        .withError("invalid_request_error", "unsupported_conversion", true),
                OpenAiWire.notConvertibleReply("Kiro", "a tool call whose arguments are not an object"));
    }
}
