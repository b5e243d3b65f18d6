package dev.tokenproxy.adapter.out.upstream.anthropic;

import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesRequestBody;
import dev.tokenproxy.adapter.out.upstream.format.messages.MessagesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.classify.Verdict.CooldownKind;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code anthropic} provider: the Anthropic Messages API ({@code POST {base}/messages}, protocols §5) for
 * Messages clients, with the upstream's API keys as a pool. Like every provider it turns what came back into a signal
 * and lets its table decide.
 */
public final class AnthropicAdapter implements SendAttemptPort {

    public static final String PROVIDER = "anthropic";

    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.MESSAGES), Set.of());

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

    public AnthropicAdapter(UpstreamHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.outcomes = new MessagesOutcomes(PROVIDER, TABLE, clock);
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        byte[] body = MessagesRequestBody.forUpstream(request.body(), request.upstreamModel());
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "messages"),
                    AnthropicRequestHeaders.of(request), body,
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return outcomes.notAnswered(failure);
        }
        try {
            if (exchange.status() < 200 || exchange.status() >= 300) {
                return outcomes.rejected(exchange);
            }
            String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
            return request.stream()
                    ? outcomes.stream(exchange, new MessagesStreamDialect(PROVIDER, echoModel))
                    : outcomes.message(exchange, echoModel);
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }
}
