package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.failover.FailoverDecision;
import dev.tokenproxy.domain.failover.FailoverPolicy;
import dev.tokenproxy.domain.failover.UpstreamOrdering;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
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
    private final RoundRobinCursors cursors = new RoundRobinCursors();
    private final Clock clock;

    public ForwardRequestService(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                 CooldownBook cooldowns, CredentialPools pools, AccountSessions sessions,
                                 GatewaySettings settings, Clock clock) {
        this.selector = new CandidateSelector(catalog, clientsByProvider);
        this.cooldowns = cooldowns;
        this.pools = pools;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public ForwardResult forward(ForwardRequestCommand command) {
        var selection = selector.select(command);
        if (!(selection instanceof CandidateSelection.Candidates found)) {
            return noCandidate(selection, command);
        }
        Instant deadline = clock.instant().plus(settings.requestDeadline());
        var ordered = UpstreamOrdering.order(found.candidates(), c -> c.upstream().priority(), settings.strategy(),
                priority -> cursors.next("upstreams/" + command.format() + "/" + priority),
                c -> pools.allCoolingUntil(pools.poolOf(c.upstream()).order()));
        var trail = new FailoverTrail();
        trail.candidates(ordered.size());
        for (var candidate : ordered) {
            var delivered = walkPool(candidate, command, deadline, trail);
            if (delivered.isPresent()) {
                return new ForwardResult.Delivered(delivered.get());
            }
            if (pastDeadline(deadline)) {
                trail.deadlinePassed();
                break;
            }
        }
        return trail.finalResult(clock.instant());
    }

    private static ForwardResult noCandidate(CandidateSelection selection, ForwardRequestCommand command) {
        if (selection instanceof CandidateSelection.ModelNotSupported) {
            return new ForwardResult.Failed(GatewayFailure.MODEL_NOT_SUPPORTED,
                    "no upstream serves the model '" + command.model() + "'", Optional.empty());
        }
        return new ForwardResult.Failed(GatewayFailure.NO_UPSTREAM,
                "no upstream is configured for " + command.format().name().toLowerCase() + " requests",
                Optional.empty());
    }

    /** Walks one upstream's credential pool; returns a reply only when one is to be delivered. */
    private Optional<UpstreamReply> walkPool(Candidate candidate, ForwardRequestCommand command, Instant deadline,
                                             FailoverTrail trail) {
        var members = pools.poolOf(candidate.upstream());
        var pool = new FailoverPolicy.Pool<>(settings.accountStrategy().order(members.order(),
                cursors.next("credentials/" + candidate.upstream().id())), members.pinned());
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
            var sent = attempt(candidate, sentWith, refreshFirst, command, deadline);
            sentWith = sent.credential();
            var outcome = sent.outcome();
            trail.attempted(outcome);
            var attempt = new FailoverPolicy.Attempt<>(sessions.refreshable(member), refreshed, resendsLeft, tried);
            var decision = FailoverPolicy.decide(outcome, attempt, pool, pools::stateOf);
            if (!(decision instanceof FailoverDecision.RefreshThenResend)) {
                // Recorded before the next send: a resend in place is not blocked by its own attempt's cooldown,
                // while a 401 that a refresh may cure does not cool the account.
                cooldowns.record(member.key(), outcome);
            }
            log(member, outcome);
            refreshFirst = false;
            switch (decision) {
                case FailoverDecision.Deliver<Credential, UpstreamReply> deliver -> {
                    return Optional.of(deliverable(deliver.outcome()));
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
                candidate.upstreamModel(), command.body(), command.stream(), settings.timeouts(), deadline);
        return new Sent(credential, candidate.client().send(request));
    }

    /** The credential an attempt actually used (an account's token may have been refreshed) and its outcome. */
    private record Sent(Credential credential, AttemptOutcome<UpstreamReply> outcome) {
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

    private static void log(Credential credential, AttemptOutcome<UpstreamReply> outcome) {
        switch (outcome) {
            case AttemptOutcome.Retryable<UpstreamReply> r -> LOG.log(Level.INFO,
                    "attempt via {0} failed: {1} (status {2}), cooldown {3}",
                    credential.key(), r.reason(), r.status(), r.cooldown());
            case AttemptOutcome.Fatal<UpstreamReply> f -> LOG.log(Level.INFO,
                    "attempt via {0} rejected the request itself (status {1})", credential.key(), f.status());
            case AttemptOutcome.SkippedAuth<UpstreamReply> s -> LOG.log(Level.INFO,
                    "skipped {0}: {1}", credential.key(), s.why());
            default -> LOG.log(Level.DEBUG, "attempt via {0}: {1}", credential.key(), outcome.getClass().getSimpleName());
        }
    }
}
