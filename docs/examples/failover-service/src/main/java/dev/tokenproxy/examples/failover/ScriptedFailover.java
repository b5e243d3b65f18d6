package dev.tokenproxy.examples.failover;

import dev.tokenproxy.domain.account.CredentialState;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.classify.Verdict;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.WaitSeconds;
import dev.tokenproxy.domain.failover.FailoverDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@link AccountFailover} over a scripted day of an upstream {@code acme} with accounts {@code a}, {@code b} and
 * {@code c}, and prints one line per request and per attempt. Upstream answers are {@link AttemptSignal}s, turned
 * into outcomes by the domain's classification table plus one row of acme's own; the clock is the script's, so the
 * output is the same on every run. The format is documented in docs/domain-as-a-library.md.
 */
public final class ScriptedFailover {

    static final String PROVIDER = "acme";
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** acme says {@code prompt_too_long} where OpenAI says {@code context_length_exceeded}: no account can help. */
    static final ClassificationTable TABLE = ClassificationTable.withProviderRules(List.of(
            ClassificationRule.status(400, Verdict.FATAL).withErrorCode("prompt_too_long").forProvider(PROVIDER)));

    /** One client request: when it arrives, and what the upstream answers to its attempts, in order. */
    record ScriptedRequest(long atSecond, List<AttemptSignal> answers) {
    }

    static final List<ScriptedRequest> SCRIPT = List.of(
            // a is rate limited and asks for 60 s, b answers an empty 200, c refuses the prompt: stop there.
            new ScriptedRequest(0, List.of(rateLimited(60), emptyCompletion(), promptTooLong())),
            // a still rests, so b serves; its 503 is resent once in place, then c takes over.
            new ScriptedRequest(30, List.of(http(503), http(503), http(200))),
            // a's 60 s are over: it is tried first again, and its success closes the cooldown.
            new ScriptedRequest(61, List.of(http(200))),
            // Every account fails: the pool is done, and the request would go on to the next upstream.
            new ScriptedRequest(62, List.of(rateLimited(120), http(401), rateLimited(90))),
            // All three rest: no account to start with.
            new ScriptedRequest(63, List.of()),
            // c's 90 s are over first.
            new ScriptedRequest(152, List.of(http(200))));

    private ScriptedFailover() {
    }

    /** Prints the transcript of {@link #SCRIPT}. */
    public static void main(String[] args) {
        transcript().forEach(System.out::println);
    }

    /** The lines {@link #main} prints. */
    static List<String> transcript() {
        var accounts = new AccountFailover(List.of("a", "b", "c"), CooldownPolicy.DEFAULTS, 1);
        var lines = new ArrayList<String>();
        int requestNumber = 0;
        int step = 0;
        for (var scripted : SCRIPT) {
            requestNumber++;
            Instant now = START.plusSeconds(scripted.atSecond());
            var started = accounts.start(now);
            if (started.isEmpty()) {
                lines.add("request %d at %s: no account available, first back at %s".formatted(requestNumber,
                        offset(now), accounts.earliestRecovery(now).map(ScriptedFailover::offset).orElse("never")));
                continue;
            }
            var request = started.get();
            lines.add("request %d at %s: start with %s".formatted(requestNumber, offset(now), request.account()));
            Deque<AttemptSignal> answers = new ArrayDeque<>(scripted.answers());
            boolean walking = true;
            while (walking) {
                var answer = answers.removeFirst();
                String account = request.account();
                AttemptOutcome<String> outcome = TABLE.outcome(answer, "reply of " + account);
                var decision = request.report(outcome, now);
                lines.add("step %d: %s %s -> %s%s".formatted(++step, account, describe(outcome), describe(decision),
                        cooling(accounts, account, now)));
                walking = decision instanceof FailoverDecision.NextCredential<String, String>
                        || decision instanceof FailoverDecision.ResendInPlace<String, String>;
            }
        }
        return lines;
    }

    static String describe(AttemptOutcome<?> outcome) {
        return switch (outcome) {
            case AttemptOutcome.Success<?> success -> "Success(" + success.status() + ")";
            case AttemptOutcome.Retryable<?> failed -> "Retryable(%s, %d, %s)".formatted(
                    failed.reason().describe(), failed.status(), describe(failed.cooldown()));
            case AttemptOutcome.Fatal<?> fatal -> "Fatal(" + fatal.status() + ")";
            case AttemptOutcome.SkippedAuth<?> skipped -> "SkippedAuth(" + skipped.why() + ")";
        };
    }

    static String describe(CooldownRule rule) {
        return switch (rule) {
            case CooldownRule.None none -> "no cooldown";
            case CooldownRule.Transient t -> "transient cooldown";
            case CooldownRule.Credential c -> "credential cooldown";
            case CooldownRule.Hinted hinted -> "wait " + WaitSeconds.roundedUp(hinted.delay()) + "s";
        };
    }

    static String describe(FailoverDecision<String, ?> decision) {
        return switch (decision) {
            case FailoverDecision.Deliver<String, ?> deliver -> "Deliver(" + describe(deliver.outcome()) + ")";
            case FailoverDecision.ResendInPlace<String, ?> resend -> "ResendInPlace";
            case FailoverDecision.RefreshThenResend<String, ?> refresh -> "RefreshThenResend";
            case FailoverDecision.NextCredential<String, ?> next -> "NextCredential(" + next.credential() + ")";
            case FailoverDecision.SkipUpstream<String, ?> skip -> "SkipUpstream(" + describe(skip.poolResult()) + ")";
        };
    }

    /** {@code "; a cools until +60s"} when the attempt left its account cooling, else nothing. */
    private static String cooling(AccountFailover accounts, String account, Instant now) {
        if (accounts.state(account, now) instanceof CredentialState.Cooling cooling) {
            return "; %s cools until %s".formatted(account, offset(cooling.until()));
        }
        return "";
    }

    private static String offset(Instant instant) {
        return "+" + Duration.between(START, instant).toSeconds() + "s";
    }

    private static AttemptSignal http(int status) {
        return AttemptSignal.http(PROVIDER, status);
    }

    private static AttemptSignal rateLimited(long retryAfterSeconds) {
        return http(429).withWaitHint(Optional.of(Duration.ofSeconds(retryAfterSeconds)));
    }

    private static AttemptSignal emptyCompletion() {
        return http(200).withFault(Fault.EMPTY_COMPLETION);
    }

    private static AttemptSignal promptTooLong() {
        return http(400).withError("invalid_request_error", "prompt_too_long", false);
    }
}
