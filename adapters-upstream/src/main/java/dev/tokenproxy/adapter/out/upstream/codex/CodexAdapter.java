package dev.tokenproxy.adapter.out.upstream.codex;

import static dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesOutcomes.failedWith;
import static dev.tokenproxy.domain.classify.ClassificationRule.status;

import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiWire;
import dev.tokenproxy.adapter.out.upstream.format.responses.ChatToResponsesRequest;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesToChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamExchange;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.ProviderDescriptor.CredentialKind;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code codex} provider: the ChatGPT backend the Codex CLI talks to ({@code POST {base}/responses}, protocols
 * §3), with a logged-in ChatGPT account. It speaks Responses, but only as a stream and only with a body that follows
 * its rules, so every request is rewritten to them and a non-stream client gets the stream aggregated. Every answer's
 * usage windows ({@code x-codex-*}) are reported, so the gateway knows when an account is spent.
 */
public final class CodexAdapter implements SendAttemptPort {

    public static final String PROVIDER = "codex";

    /** Responses natively; Chat clients by conversion; logged-in accounts, never API keys. */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.RESPONSES), Set.of(InboundFormat.CHAT), CredentialKind.ACCOUNTS);

    /**
     * A spent plan (usage_limit_reached) is a rate limit that lasts until the reset the body names, which the wait
     * hint carries; a plan without Codex (usage_not_included) is the account's failure, like a spent quota. After
     * HTTP 200 the same codes fail the response, as does an overloaded backend. 401 token_expired is the default
     * credential row: the failover loop refreshes the token and resends once.
     */
    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(rules());

    private final UpstreamHttpClient http;
    private final Clock clock;
    private final ReportUsageUseCase usage;
    private final ResponsesOutcomes outcomes;

    public CodexAdapter(UpstreamHttpClient http, Clock clock, ReportUsageUseCase usage) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.outcomes = new ResponsesOutcomes(PROVIDER, TABLE, clock);
    }

    static List<ClassificationRule> rules() {
        var rateLimited = Verdict.retry(RetryReason.RATE_LIMITED, CooldownKind.TRANSIENT);
        var notIncluded = Verdict.retry(RetryReason.CREDENTIAL_REJECTED, CooldownKind.CREDENTIAL);
        var rules = new ArrayList<>(List.of(
                status(429, rateLimited).withErrorType("usage_limit_reached").forProvider(PROVIDER),
                status(429, rateLimited).withErrorCode("usage_limit_reached").forProvider(PROVIDER),
                status(429, notIncluded).withErrorType("usage_not_included").forProvider(PROVIDER),
                status(429, notIncluded).withErrorCode("usage_not_included").forProvider(PROVIDER),
                failedWith(PROVIDER, "usage_limit_reached", rateLimited.withStatus(429)),
                failedWith(PROVIDER, "usage_not_included", notIncluded.withStatus(429)),
                failedWith(PROVIDER, "server_is_overloaded",
                        Verdict.retry(RetryReason.SERVER_ERROR, CooldownKind.TRANSIENT).withStatus(503))));
        rules.addAll(ResponsesOutcomes.failedCodeRules(PROVIDER));
        return rules;
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        boolean chat = request.format() == InboundFormat.CHAT;
        Optional<CodexRequestBody> body = chat
                ? ChatToResponsesRequest.convert(request.body().bytes(), request.upstreamModel())
                        .flatMap(converted -> CodexRequestBody.ofConvertedChat(converted, request.upstreamModel()))
                : CodexRequestBody.of(request.body().bytes(), request.upstreamModel());
        if (body.isEmpty()) {
            return outcomes.notConvertible();
        }
        UpstreamExchange exchange;
        try {
            exchange = http.post(OpenAiWire.endpoint(request.upstream().baseUrl(), "responses"),
                    CodexRequestHeaders.of(request.credential(), body.get().sessionId()), body.get().body(),
                    ExchangeLimits.of(request.timeouts(), request.deadline(), clock.instant()));
        } catch (TransportFailure failure) {
            return outcomes.notAnswered(failure);
        }
        try {
            CodexUsageHeaders.read(exchange::header, clock.instant())
                    .ifPresent(snapshot -> usage.report(request.credential().key(), snapshot));
            return outcome(request, exchange, chat);
        } catch (RuntimeException bug) {
            // Not an upstream failure: free the connection now rather than at the deadline, and let it surface.
            exchange.abort();
            throw bug;
        }
    }

    private AttemptOutcome<UpstreamReply> outcome(AttemptRequest request, UpstreamExchange exchange, boolean chat) {
        int status = exchange.status();
        AttemptSignal answered = AttemptSignal.http(PROVIDER, status);
        if (status < 200 || status >= 300) {
            return outcomes.rejected(exchange, answered,
                    (signal, body) -> CodexErrorBody.describe(signal, body, clock.instant()),
                    body -> CodexErrorBody.shown(body, status));
        }
        String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
        if (!request.stream()) {
            return outcomes.aggregated(exchange, answered, echoModel, chat);
        }
        return outcomes.stream(exchange, answered, chat
                ? new ResponsesToChatStreamDialect(PROVIDER, echoModel, ResponsesOutcomes.includeUsage(request.body()))
                : new ResponsesStreamDialect(PROVIDER, echoModel));
    }
}
