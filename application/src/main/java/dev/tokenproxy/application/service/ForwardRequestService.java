package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.failover.AccountPoolPolicy;
import dev.tokenproxy.domain.failover.PoolStep;
import dev.tokenproxy.domain.failover.SameUpstreamRetryRule;
import dev.tokenproxy.domain.failover.UpstreamOrdering;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;

/**
 * The failover loop (behaviour §3, §4): candidates in priority order, each upstream's credentials walked as a
 * pool, transient failures resent in place, all under one request deadline. Every decision is taken from the
 * final outcome of an attempt, as the upstream adapter classified it after post-processing.
 */
public final class ForwardRequestService implements ForwardRequestUseCase {

    private static final System.Logger LOG = System.getLogger(ForwardRequestService.class.getName());

    private final CandidateSelector selector;
    private final CooldownBook cooldowns;
    private final GatewaySettings settings;
    private final RoundRobinCursors cursors = new RoundRobinCursors();
    private final Clock clock;

    public ForwardRequestService(UpstreamCatalog catalog, Map<String, SendAttemptPort> clientsByProvider,
                                 CooldownBook cooldowns, GatewaySettings settings, Clock clock) {
        this.selector = new CandidateSelector(catalog, clientsByProvider);
        this.cooldowns = cooldowns;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public ForwardResult forward(ForwardRequestCommand command) {
        var selection = selector.select(command);
        if (!(selection instanceof CandidateSelection.Candidates found)) {
            return noCandidate(selection, command);
        }
        var candidates = found.candidates();
        Instant deadline = clock.instant().plus(settings.requestDeadline());
        var ordered = UpstreamOrdering.order(candidates, c -> c.upstream().priority(), settings.strategy(),
                priority -> cursors.next("upstreams/" + command.format() + "/" + priority),
                c -> cooldowns.allCoolingUntil(c.upstream().apiKeyCredentials()));
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

    /** Walks one upstream's credential pool (behaviour §3); returns a reply only when one is to be delivered. */
    private Optional<UpstreamReply> walkPool(Candidate candidate, ForwardRequestCommand command, Instant deadline,
                                             FailoverTrail trail) {
        var credentials = candidate.upstream().apiKeyCredentials();
        if (credentials.isEmpty()) {
            trail.skippedForCredentials();
            return Optional.empty();
        }
        var order = settings.accountStrategy().order(credentials,
                cursors.next("credentials/" + candidate.upstream().id()));
        var tried = new HashSet<Credential>();
        AttemptOutcome<UpstreamReply> remembered = null;
        while (!pastDeadline(deadline)) {
            var next = AccountPoolPolicy.next(order, tried, c -> cooldowns.isCooling(c.key()));
            if (next.isEmpty()) {
                if (remembered == null) {
                    cooldowns.allCoolingUntil(credentials).ifPresent(trail::allCooling);
                }
                return Optional.empty();
            }
            tried.add(next.get());
            var outcome = attemptWithInPlaceRetries(candidate, next.get(), command, deadline, trail);
            switch (AccountPoolPolicy.afterAttempt(outcome)) {
                case PoolStep.Deliver<UpstreamReply> d -> {
                    return Optional.of(deliverable(d.outcome()));
                }
                case PoolStep.TryNext<UpstreamReply> t -> remembered = t.remembered();
                case PoolStep.Skip<UpstreamReply> s -> {
                    trail.skippedForCredentials();
                    return Optional.empty();
                }
            }
        }
        trail.deadlinePassed();
        return Optional.empty();
    }

    private AttemptOutcome<UpstreamReply> attemptWithInPlaceRetries(Candidate candidate, Credential credential,
                                                                   ForwardRequestCommand command, Instant deadline,
                                                                   FailoverTrail trail) {
        var request = new AttemptRequest(candidate.upstream(), credential, command.format(), command.model(),
                candidate.upstreamModel(), command.body(), command.stream(), settings.timeouts(), deadline);
        int inPlaceRetriesLeft = settings.sameUpstreamRetries();
        while (true) {
            var outcome = candidate.client().send(request);
            trail.attempted(outcome);
            // Recorded before the in-place retry decision: that retry is not blocked by its own cooldown.
            cooldowns.record(credential.key(), outcome);
            log(credential, outcome);
            if (inPlaceRetriesLeft-- > 0 && SameUpstreamRetryRule.allowsInPlaceRetry(outcome)
                    && !pastDeadline(deadline)) {
                continue;
            }
            return outcome;
        }
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
            default -> LOG.log(Level.DEBUG, "attempt via {0}: {1}", credential.key(), outcome.getClass().getSimpleName());
        }
    }
}
