package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.ForwardSummary;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.cooldown.WaitSeconds;
import dev.tokenproxy.domain.failover.FailoverDecision;
import dev.tokenproxy.domain.failover.FailoverPolicy;
import dev.tokenproxy.domain.failover.UpstreamOrdering;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The failover loop (behaviour §3, §4): candidates in priority order, each upstream's credentials walked as a
 * pool, all under one request deadline. After every attempt {@link FailoverPolicy} decides what comes next from the
 * attempt's final outcome, as the upstream adapter classified it after post-processing; this loop only carries the
 * decision out.
 */
public final class ForwardRequestService implements ForwardRequestUseCase {

    private static final System.Logger LOG = System.getLogger(ForwardRequestService.class.getName());

    private final CandidateSelector selector;
    private final CooldownBook cooldowns;
    private final CredentialPools pools;
    private final AccountSessions sessions;
    private final GatewaySettings settings;
    /** Upstream priority groups, one set of cursors per inbound format. */
    private final RoundRobinCursors<PriorityGroup> groupCursors = new RoundRobinCursors<>();
    /** Credential pools, by upstream id. */
    private final RoundRobinCursors<String> poolCursors = new RoundRobinCursors<>();
    private final Clock clock;
    private final RecordSink records;

    public ForwardRequestService(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                 CooldownBook cooldowns, CredentialPools pools, AccountSessions sessions,
                                 GatewaySettings settings, Clock clock) {
        this(catalog, clientsByProvider, cooldowns, pools, sessions, settings, clock, RecordSink.NONE);
    }

    /** @param records takes every request's attempt records once its answer is known */
    public ForwardRequestService(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                 CooldownBook cooldowns, CredentialPools pools, AccountSessions sessions,
                                 GatewaySettings settings, Clock clock, RecordSink records) {
        this.records = records;
        this.selector = new CandidateSelector(catalog, clientsByProvider);
        this.cooldowns = cooldowns;
        this.pools = pools;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public ForwardResult forward(ForwardRequestCommand command) {
        var trail = new FailoverTrail(command, clock, records);
        var selection = selector.select(command);
        if (!(selection instanceof CandidateSelection.Candidates found)) {
            return noCandidate(selection, command, trail);
        }
        Instant deadline = clock.instant().plus(settings.requestDeadline());
        // Each candidate's cooling is looked up once, not again by every comparison of the ordering.
        var coolingUntil = new IdentityHashMap<Candidate, Optional<Instant>>(found.candidates().size());
        for (var candidate : found.candidates()) {
            coolingUntil.put(candidate, pools.allCoolingUntil(pools.poolOf(candidate.upstream()).order()));
        }
        var ordered = UpstreamOrdering.order(found.candidates(), c -> c.upstream().priority(), settings.strategy(),
                priority -> groupCursors.next(new PriorityGroup(command.format(), priority)), coolingUntil::get);
        trail.candidates(ordered.size());
        for (var candidate : ordered) {
            var delivered = walkPool(candidate, command, deadline, trail);
            if (delivered.isPresent()) {
                return delivered.get();
            }
            if (pastDeadline(deadline)) {
                trail.deadlinePassed();
                break;
            }
        }
        return trail.finalResult();
    }

    private static ForwardResult noCandidate(CandidateSelection selection, ForwardRequestCommand command,
                                             FailoverTrail trail) {
        if (selection instanceof CandidateSelection.ModelNotSupported) {
            return trail.refused(GatewayFailure.MODEL_NOT_SUPPORTED,
                    "no upstream serves the model '" + command.model() + "'");
        }
        return trail.refused(GatewayFailure.NO_UPSTREAM,
                "no upstream is configured for " + command.format().name().toLowerCase() + " requests");
    }

    /** Walks one upstream's credential pool; returns a result only when a reply is to be delivered. */
    private Optional<ForwardResult> walkPool(Candidate candidate, ForwardRequestCommand command, Instant deadline,
                                             FailoverTrail trail) {
        var members = pools.poolOf(candidate.upstream());
        var pool = new FailoverPolicy.Pool<>(settings.accountStrategy().order(members.order(),
                poolCursors.next(candidate.upstream().id())), members.pinned());
        var first = FailoverPolicy.firstCredential(pool, pools::stateOf);
        if (first.isEmpty()) {
            pools.allCoolingUntil(pool.order()).ifPresentOrElse(trail::allCooling, trail::skippedForCredentials);
            return Optional.empty();
        }
        Credential member = first.get();
        Credential sentWith = member;
        Set<Credential> tried = new HashSet<>();
        int resendsLeft = settings.sameUpstreamRetries();
        boolean refreshed = false;
        boolean refreshFirst = false;
        while (!pastDeadline(deadline)) {
            tried.add(member);
            Instant started = clock.instant();
            var sent = attempt(candidate, sentWith, refreshFirst, command, deadline);
            sentWith = sent.credential();
            var outcome = sent.outcome();
            trail.attempted(candidate, member.key(), outcome, started);
            var attempt = new FailoverPolicy.Attempt<>(sessions.refreshable(member), refreshed, resendsLeft, tried);
            var decision = FailoverPolicy.decide(outcome, attempt, pool, pools::stateOf);
            Optional<Instant> coolingUntil = Optional.empty();
            if (!(decision instanceof FailoverDecision.RefreshThenResend)) {
                // Recorded before the next send: a resend in place is not blocked by its own attempt's cooldown,
                // while a 401 that a refresh may cure does not cool the account.
                coolingUntil = cooldowns.record(member.key(), outcome);
            }
            if (outcome instanceof AttemptOutcome.Retryable<UpstreamReply> r
                    && r.reason() == RetryReason.ACCOUNT_SUSPENDED && member instanceof Credential.Account account) {
                sessions.disable(account, "suspended by its provider");
            }
            log(command, trail.attempts(), member, outcome, coolingUntil);
            refreshFirst = false;
            switch (decision) {
                case FailoverDecision.Deliver<Credential, UpstreamReply> deliver -> {
                    var summary = new ForwardSummary(trail.attempts(), Optional.of(member.key()),
                            Optional.of(candidate.upstreamModel()), usageOf(deliver.outcome()));
                    return Optional.of(new ForwardResult.Delivered(
                            delivered(deliverable(deliver.outcome()), command, member, trail), summary));
                }
                case FailoverDecision.ResendInPlace<Credential, UpstreamReply> resend -> resendsLeft--;
                case FailoverDecision.RefreshThenResend<Credential, UpstreamReply> refresh -> {
                    refreshed = true;
                    refreshFirst = true;
                }
                case FailoverDecision.NextCredential<Credential, UpstreamReply> next -> {
                    member = next.credential();
                    sentWith = member;
                    resendsLeft = settings.sameUpstreamRetries();
                    refreshed = false;
                }
                case FailoverDecision.SkipUpstream<Credential, UpstreamReply> skip -> {
                    if (skip.poolResult() instanceof AttemptOutcome.SkippedAuth<UpstreamReply>) {
                        trail.skippedForCredentials();
                    }
                    return Optional.empty();
                }
            }
        }
        trail.deadlinePassed();
        return Optional.empty();
    }

    /**
     * One attempt with one credential; an account is made ready first (its token refreshed if it is about to expire,
     * or if {@code refreshFirst} because the upstream refused the token {@code credential} carries), which may end
     * the attempt unsent.
     */
    private Sent attempt(Candidate candidate, Credential credential, boolean refreshFirst,
                         ForwardRequestCommand command, Instant deadline) {
        if (credential instanceof Credential.Account account) {
            switch (sessions.ready(candidate.upstream(), account, refreshFirst)) {
                case AccountSessions.Readiness.Ready ready -> credential = ready.credential();
                case AccountSessions.Readiness.Unusable unusable -> {
                    return new Sent(credential, unusable.outcome());
                }
            }
        }
        var request = new AttemptRequest(candidate.upstream(), credential, command.format(), command.model(),
                candidate.upstreamModel(), command.body(), command.stream(), settings.timeouts(), deadline,
                command.clientHeaders());
        return new Sent(credential, candidate.client().send(request));
    }

    /** The credential an attempt actually used (an account's token may have been refreshed) and its outcome. */
    private record Sent(Credential credential, AttemptOutcome<UpstreamReply> outcome) {
    }

    /**
     * A whole answer is recorded now; a stream when it ends, with the usage it reported and how it ended. A stream
     * that breaks after its output still counts against its credential.
     */
    private UpstreamReply delivered(UpstreamReply reply, ForwardRequestCommand command, Credential member,
                                    FailoverTrail trail) {
        if (!(reply instanceof UpstreamReply.Streaming streaming)) {
            trail.deliveredWhole();
            return reply;
        }
        return new UpstreamReply.Streaming(streaming.status(), streaming.headers(),
                new StreamEndWatch(streaming.stream(), end -> {
                    if (end instanceof StreamEnd.Interrupted interrupted) {
                        brokeAfterOutput(command, member, interrupted.signal());
                    }
                    trail.streamEnded(end);
                }));
    }

    private void brokeAfterOutput(ForwardRequestCommand command, Credential member, AttemptSignal signal) {
        var cooldown = switch (ClassificationTable.defaults().outcome(signal, null)) {
            case AttemptOutcome.Retryable<Object> r -> r.cooldown();
            default -> CooldownRule.NONE;
        };
        var failure = new AttemptOutcome.Retryable<UpstreamReply>(RetryReason.STREAM_BROKEN_AFTER_OUTPUT,
                signal.status(), null, cooldown);
        var until = cooldowns.record(member.key(), failure);
        LOG.log(Level.WARNING, "request {0}: stream via {1} broke after output ({2}){3}; the client got an error "
                + "event, nothing was replayed", command.requestId(), member.key(), describe(signal),
                coolingText(until));
    }

    private static String describe(AttemptSignal signal) {
        String what = signal.fault().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return signal.errorCode() == null ? what : what + ", " + signal.errorCode();
    }

    private String coolingText(Optional<Instant> until) {
        return until.map(at -> ", cooling " + WaitSeconds.roundedUp(Duration.between(clock.instant(), at)) + " s")
                .orElse(", not cooled");
    }

    /** What a delivered answer cost, when the adapter could tell (a stream reports it at its end instead). */
    private static TokenUsage usageOf(AttemptOutcome<UpstreamReply> delivered) {
        return delivered instanceof AttemptOutcome.Success<UpstreamReply> success ? success.usage() : TokenUsage.NONE;
    }

    private static UpstreamReply deliverable(AttemptOutcome<UpstreamReply> outcome) {
        return switch (outcome) {
            case AttemptOutcome.Success<UpstreamReply> s -> s.response();
            case AttemptOutcome.Fatal<UpstreamReply> f -> f.response();
            case AttemptOutcome.Retryable<UpstreamReply> r -> throw new IllegalStateException("not deliverable: " + r);
            case AttemptOutcome.SkippedAuth<UpstreamReply> s -> throw new IllegalStateException("not deliverable: " + s);
        };
    }

    private boolean pastDeadline(Instant deadline) {
        return !clock.instant().isBefore(deadline);
    }

    /** One line per attempt that did not deliver, with its reason and what it did to the credential. */
    private void log(ForwardRequestCommand command, int attempt, Credential credential,
                     AttemptOutcome<UpstreamReply> outcome, Optional<Instant> coolingUntil) {
        String id = command.requestId();
        switch (outcome) {
            // Status 0: no complete answer, which may be none at all or a head whose body broke off.
            case AttemptOutcome.Retryable<UpstreamReply> r -> LOG.log(Level.INFO,
                    "request {0}: attempt {1} via {2} failed: {3} ({4}){5}", id, attempt, credential.key(),
                    r.reason().describe(), r.status() == 0 ? "no complete HTTP answer" : "HTTP " + r.status(),
                    coolingText(coolingUntil));
            case AttemptOutcome.Fatal<UpstreamReply> f -> LOG.log(Level.INFO,
                    "request {0}: attempt {1} via {2}: the upstream rejected the request itself (HTTP {3}); no other "
                    + "upstream is tried", id, attempt, credential.key(), f.status());
            case AttemptOutcome.SkippedAuth<UpstreamReply> s -> LOG.log(Level.INFO,
                    "request {0}: skipped {1}: {2}", id, credential.key(), s.why());
            case AttemptOutcome.Success<UpstreamReply> s when !s.is2xx() -> LOG.log(Level.INFO,
                    "request {0}: attempt {1} via {2} answered HTTP {3}; trying the next credential or upstream",
                    id, attempt, credential.key(), s.status());
            case AttemptOutcome.Success<UpstreamReply> s -> LOG.log(Level.DEBUG,
                    "request {0}: attempt {1} via {2} answered HTTP {3}", id, attempt, credential.key(), s.status());
        }
    }

    /** A priority group of upstreams for one inbound format: each format rotates through its own group. */
    private record PriorityGroup(InboundFormat format, int priority) {
    }
}
