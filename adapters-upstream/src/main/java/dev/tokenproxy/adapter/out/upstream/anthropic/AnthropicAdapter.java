package dev.tokenproxy.adapter.out.upstream.anthropic;

import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.ChatToMessagesRequest;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesToChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
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
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code anthropic} provider: the Anthropic Messages API ({@code POST {base}/messages}, protocols §5) for
 * Messages clients, and for Chat clients by conversion, with the upstream's API keys as a pool. Like every provider it turns what came back into a signal
 * and lets its table decide.
 */
public final class AnthropicAdapter implements SendAttemptPort {

    public static final String PROVIDER = "anthropic";

    /** Messages natively; Chat clients by converting requests to Messages and answers back (allow_conversion). */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.MESSAGES), Set.of(InboundFormat.CHAT));

    /**
     * Anthropic answers every client mistake with 400 {@code invalid_request_error} and names no parameter, so the
     * default row (which wants one named) would deliver it and walk the pool; here it stops everything, as no other key
     * could take the request either. The exception is an organisation out of credit, which is the key's failure.
     * 429 {@code rate_limit_error} and 529 {@code overloaded_error} are the defaults' retryable rows, with the wait
     * their {@code retry-after} gives.
     */
    static final List<ClassificationRule> RULES = List.of(
            status(400, Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL))
                    .withErrorCode(MessagesErrorBody.CREDIT_BALANCE_TOO_LOW).forProvider(PROVIDER),
            status(400, Verdict.FATAL).withErrorType("invalid_request_error").forProvider(PROVIDER),
            status(413, Verdict.FATAL).withErrorType("request_too_large").forProvider(PROVIDER));

    static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RULES);

    private final UpstreamHttpClient http;
    private final Clock clock;
    private final MessagesOutcomes outcomes;
    private final MessagesOutcomes chatOutcomes;

    public AnthropicAdapter(UpstreamHttpClient http, Clock clock) {
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
        Optional<BodyBytes> body = chat
                ? ChatToMessagesRequest.convert(request.body().bytes(), request.upstreamModel()).map(BodyBytes::of)
                : Optional.of(MessagesRequestBody.forUpstream(request));
        if (body.isEmpty()) {
            return notConvertible();
        }
        MessagesOutcomes judged = chat ? chatOutcomes : outcomes;
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "messages"),
                    AnthropicRequestHeaders.of(request), body.get(),
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return judged.notAnswered(failure);
        }
        try {
            if (exchange.status() < 200 || exchange.status() >= 300) {
                return judged.rejected(exchange);
            }
            String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
            if (!request.stream()) {
                return judged.message(exchange, echoModel);
            }
            return judged.stream(exchange, chat
                    ? new MessagesToChatStreamDialect(PROVIDER, echoModel,
                            ChatRequestBody.includeUsage(request.body()), clock.instant().getEpochSecond())
                    : new MessagesStreamDialect(PROVIDER, echoModel));
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }

    /** The Chat request has a shape Messages cannot carry: fatal, since no upstream of this kind could take it. */
    private AttemptOutcome<UpstreamReply> notConvertible() {
        return TABLE.outcome(AttemptSignal.http(PROVIDER, 400)
                        .withError("invalid_request_error", "unsupported_conversion", true),
                OpenAiWire.notConvertibleReply("Anthropic Messages", "a tool call whose arguments are not an object"));
    }
}
