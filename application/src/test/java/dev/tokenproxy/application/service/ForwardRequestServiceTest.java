package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.Outcomes.bodyOf;
import static dev.tokenproxy.application.fakes.Outcomes.connectRefused;
import static dev.tokenproxy.application.fakes.Outcomes.credentialRejected;
import static dev.tokenproxy.application.fakes.Outcomes.deliverable;
import static dev.tokenproxy.application.fakes.Outcomes.emptyCompletion;
import static dev.tokenproxy.application.fakes.Outcomes.fatal;
import static dev.tokenproxy.application.fakes.Outcomes.ok;
import static dev.tokenproxy.application.fakes.Outcomes.rateLimited;
import static dev.tokenproxy.application.fakes.Outcomes.serverError;
import static dev.tokenproxy.application.fakes.Outcomes.serverErrorRetryAfter;
import static dev.tokenproxy.application.fakes.Outcomes.skippedAuth;
import static dev.tokenproxy.application.fakes.Outcomes.timedOut;
import static dev.tokenproxy.application.fakes.TestUpstreams.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.InMemoryAccountStore;
import dev.tokenproxy.application.fakes.InMemoryCooldownStore;
import dev.tokenproxy.application.fakes.ScriptedTokenRefresher;
import dev.tokenproxy.application.fakes.MutableClock;
import dev.tokenproxy.application.fakes.ScriptedUpstream;
import dev.tokenproxy.application.fakes.TestUpstreams;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.failover.RoutingStrategy;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The failover loop of behaviour §3–§5, driven through the use case with a scripted upstream adapter, an in-memory
 * cooldown store and a hand-moved clock.
 */
class ForwardRequestServiceTest {

    private final MutableClock clock = MutableClock.atEpochDay();
    private final InMemoryCooldownStore store = new InMemoryCooldownStore();
    private final ScriptedUpstream openai = ScriptedUpstream.openai();
    private final Map<String, SendAttemptPort> adapters = new HashMap<>(Map.of("openai", openai));
    private GatewaySettings settings = GatewaySettings.DEFAULTS;
    private final UsageBook usage = new UsageBook();
    private final InMemoryAccountStore accounts = new InMemoryAccountStore();
    private final ScriptedTokenRefresher refresher = new ScriptedTokenRefresher("codex", clock);

    // ---- harness -------------------------------------------------------------------------------------------

    private ForwardRequestService gateway(TestUpstreams... upstreams) {
        var catalog = new UpstreamCatalog(Arrays.stream(upstreams).map(TestUpstreams::build).toList());
        var cooldowns = new CooldownBook(store, CooldownPolicy.DEFAULTS, clock);
        var pools = new CredentialPools(accounts, cooldowns, usage, clock);
        return new ForwardRequestService(catalog, adapters, cooldowns, pools,
                new AccountSessions(accounts, List.of(refresher), clock), settings, clock);
    }

    private GatewaySettings settings(RoutingStrategy strategy, RoutingStrategy accountStrategy, int inPlaceRetries) {
        return new GatewaySettings(strategy, accountStrategy, inPlaceRetries, Duration.ofSeconds(300),
                AttemptTimeouts.DEFAULTS);
    }

    private static ForwardRequestCommand chat(String model) {
        return command(InboundFormat.CHAT, model, Set.of("*"));
    }

    private static ForwardRequestCommand command(InboundFormat format, String model, Set<String> allowed) {
        return new ForwardRequestCommand(format, model, false,
                ("{\"model\":\"" + model + "\"}").getBytes(StandardCharsets.UTF_8), allowed);
    }

    private static CredentialKey key(String upstreamId, String credentialId) {
        return new CredentialKey(upstreamId, credentialId);
    }

    private static void assertDelivered(ForwardResult result, int status, String body) {
        assertThat(result).isInstanceOf(ForwardResult.Delivered.class);
        var reply = ((ForwardResult.Delivered) result).reply();
        assertThat(reply.status()).isEqualTo(status);
        assertThat(bodyOf(reply)).isEqualTo(body);
    }

    private static ForwardResult.Failed assertFailed(ForwardResult result, GatewayFailure failure) {
        assertThat(result).isInstanceOf(ForwardResult.Failed.class);
        var failed = (ForwardResult.Failed) result;
        assertThat(failed.failure()).isEqualTo(failure);
        return failed;
    }

    private Optional<CooldownState> cooldownOf(String upstreamId, String credentialId) {
        return store.find(key(upstreamId, credentialId));
    }

    private Instant now() {
        return clock.instant();
    }

    // ---- success and in-place retries (§4.3) ----------------------------------------------------------------

    @Test
    void deliversA2xxSuccess() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", ok("hello"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "hello");
        assertThat(openai.targets()).containsExactly("a/key-1");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void retriesA500OnceInPlaceWithTheSameCredentialThenDeliversTheSuccess() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.willReturn("a", "key-1", serverError(500, "boom"), ok("second try"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "second try");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1");
        assertThat(cooldownOf("a", "key-1")).as("the success closes the cooldown the 500 opened").isEmpty();
    }

    @Test
    void sendsNoInPlaceRetryWhenSameUpstreamRetriesIsZero() {
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.FILL_FIRST, 0);
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", serverError(500, "boom"));
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).containsExactly("a/key-1", "b/key-1");
    }

    @Test
    void neverRetriesInPlaceAfterA5xxThatCarriedRetryAfter() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", serverErrorRetryAfter(503, Duration.ofSeconds(5), "busy"));
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).containsExactly("a/key-1", "b/key-1");
        assertThat(cooldownOf("a", "key-1")).contains(new CooldownState(now().plusSeconds(5), 1));
    }

    @Test
    void retriesAConnectionRefusedInPlaceButNotATimeout() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", connectRefused(), timedOut());
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1", "b/key-1");
    }

    // ---- 429 and cooldowns across requests (§4.3, §5) -------------------------------------------------------

    @Test
    void failsOverOnA429WithoutRetryingInPlaceAndSkipsTheCooledCredentialUntilItsHintPasses() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", rateLimited(Duration.ofSeconds(60), "slow down"));
        openai.willReturn("b", "key-1", ok("first"));

        var first = gw.forward(chat("gpt-4o"));

        assertDelivered(first, 200, "first");
        assertThat(openai.targets()).containsExactly("a/key-1", "b/key-1");
        assertThat(cooldownOf("a", "key-1")).map(CooldownState::until).contains(now().plusSeconds(60));

        // Still cooling: b goes first, and when b fails, a's cooling key is not touched either.
        clock.advance(Duration.ofSeconds(59));
        openai.forgetSent();
        openai.willReturn("b", "key-1", serverError(500, "b down"), serverError(500, "b still down"));

        var second = gw.forward(chat("gpt-4o"));

        assertThat(openai.targets()).containsExactly("b/key-1", "b/key-1");
        assertDelivered(second, 500, "b still down");

        // The hint has passed: a is probed again (half-open) and, being ready while b cools, goes first.
        clock.advance(Duration.ofSeconds(1));
        openai.forgetSent();
        openai.willReturn("a", "key-1", ok("a is back"));

        var third = gw.forward(chat("gpt-4o"));

        assertDelivered(third, 200, "a is back");
        assertThat(openai.targets()).containsExactly("a/key-1");
        assertThat(cooldownOf("a", "key-1")).isEmpty();
    }

    // ---- the credential pool (§3) ---------------------------------------------------------------------------

    @Test
    void movesToTheNextApiKeyOfTheSameUpstreamWhenACredentialIsRejectedAndCoolsItForTheCredentialDuration() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.willReturn("a", "key-1", credentialRejected(401, "bad key"));
        openai.willReturn("a", "key-2", ok("from key 2"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from key 2");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2");
        assertThat(cooldownOf("a", "key-1")).map(CooldownState::until).contains(now().plusSeconds(300));

        // The next request goes straight to key-2 while key-1 rests; after 300 s key-1 is probed again.
        openai.forgetSent();
        openai.willReturn("a", "key-2", ok("again key 2"));
        gw.forward(chat("gpt-4o"));
        assertThat(openai.targets()).containsExactly("a/key-2");

        clock.advance(Duration.ofSeconds(300));
        openai.forgetSent();
        openai.willReturn("a", "key-1", ok("key 1 is back"));
        assertDelivered(gw.forward(chat("gpt-4o")), 200, "key 1 is back");
        assertThat(openai.targets()).containsExactly("a/key-1");
    }

    @Test
    void failsOverToTheNextUpstreamWhenCompletionIsEmptyAndRecordsNoCooldown() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", emptyCompletion());
        openai.willReturn("b", "key-1", ok("real content"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "real content");
        assertThat(openai.targets()).containsExactly("a/key-1", "b/key-1");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void deliversAFatalRejectionAndSendsNothingElse() {
        var gw = gateway(upstream("a").keys(3), upstream("b"));
        openai.willReturn("a", "key-1", fatal(400, "context_length_exceeded"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 400, "context_length_exceeded");
        assertThat(openai.targets()).containsExactly("a/key-1");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void triesTheNextUpstreamWhenEveryKeyOfTheFirstAnswers404() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.willReturn("a", "key-1", deliverable(404, "a1 has no such model"));
        openai.willReturn("a", "key-2", deliverable(404, "a2 has no such model"));
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2", "b/key-1");
    }

    @Test
    void deliversTheLast404VerbatimWhenEveryCredentialAnswers404() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.willReturn("a", "key-1", deliverable(404, "a1 404"));
        openai.willReturn("a", "key-2", deliverable(404, "a2 404"));
        openai.willReturn("b", "key-1", deliverable(404, "b1 404"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 404, "b1 404");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2", "b/key-1");
    }

    @Test
    void walksAPoolOfManyHealthyKeysAnswering404WithoutBeingCutShortByTheInPlaceRetryBudget() {
        var gw = gateway(upstream("a").keys(6));
        for (int i = 1; i <= 5; i++) {
            openai.willReturn("a", "key-" + i, deliverable(404, "no " + i));
        }
        openai.willReturn("a", "key-6", ok("key 6 serves it"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "key 6 serves it");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2", "a/key-3", "a/key-4", "a/key-5", "a/key-6");
    }

    @Test
    void givesEveryKeyOfAPoolItsOwnInPlaceRetry() {
        var gw = gateway(upstream("a").keys(3));
        openai.willReturn("a", "key-1", serverError(500, "1"), serverError(500, "1 again"));
        openai.willReturn("a", "key-2", serverError(502, "2"), serverError(502, "2 again"));
        openai.willReturn("a", "key-3", serverError(503, "3"), ok("key 3 second try"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "key 3 second try");
        assertThat(openai.targets())
                .containsExactly("a/key-1", "a/key-1", "a/key-2", "a/key-2", "a/key-3", "a/key-3");
    }

    // ---- the final answer when nothing succeeded (§4.5) -----------------------------------------------------

    @Test
    void deliversTheLastUpstreamReplyVerbatimWhenEveryCandidateFailedRetryably() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", serverError(502, "a bad gateway"), serverError(503, "a unavailable"));
        openai.willReturn("b", "key-1", rateLimited(Duration.ofSeconds(30), "b rate limited"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 429, "b rate limited");
        var delivered = ((ForwardResult.Delivered) result).reply();
        assertThat(delivered.headers()).containsEntry("content-type", "application/json");
    }

    @Test
    void deliversARememberedUpstreamReplyEvenWhenALaterAttemptTimedOut() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", rateLimited(Duration.ofSeconds(30), "a rate limited"));
        openai.willReturn("b", "key-1", timedOut());

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 429, "a rate limited");
    }

    @Test
    void answersTimeoutWhenNoAttemptGotAResponseAndTheLastTimedOut() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", connectRefused(), connectRefused());
        openai.willReturn("b", "key-1", timedOut());

        var result = gw.forward(chat("gpt-4o"));

        assertFailed(result, GatewayFailure.TIMEOUT);
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1", "b/key-1");
    }

    @Test
    void answersUpstreamUnavailableWhenEveryConnectionIsRefused() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willAlwaysReturn("a", "key-1", connectRefused());
        openai.willAlwaysReturn("b", "key-1", connectRefused());

        var result = gw.forward(chat("gpt-4o"));

        assertFailed(result, GatewayFailure.UPSTREAM_UNAVAILABLE);
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1", "b/key-1", "b/key-1");
    }

    @Test
    void answersAllCoolingWithRetryAfterRoundedUpToTheEarliestRecoveryAndSendsNothing() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        store.save(key("a", "key-1"), new CooldownState(now().plusSeconds(40), 1));
        store.save(key("a", "key-2"), new CooldownState(now().plusMillis(12_300), 1));
        store.save(key("b", "key-1"), new CooldownState(now().plusMillis(7_200), 1));

        var result = gw.forward(chat("gpt-4o"));

        var failed = assertFailed(result, GatewayFailure.ALL_COOLING);
        assertThat(failed.retryAfter()).contains(Duration.ofSeconds(8));
        assertThat(openai.targets()).isEmpty();
    }

    @Test
    void skipsAnUpstreamWithoutApiKeys() {
        var gw = gateway(upstream("a").noKeys(), upstream("b"));
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).containsExactly("b/key-1");
    }

    @Test
    void answersNoConfiguredCredentialWhenNoCandidateHasAnApiKey() {
        var gw = gateway(upstream("a").noKeys(), upstream("b").noKeys());

        var result = gw.forward(chat("gpt-4o"));

        assertFailed(result, GatewayFailure.NO_CONFIGURED_CREDENTIAL);
        assertThat(openai.targets()).isEmpty();
    }

    @Test
    void failsOverToTheNextUpstreamWhenTheAdapterSkipsForCredentials() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.willReturn("a", "key-1", skippedAuth());
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "from b");
        assertThat(openai.targets()).as("SkippedAuth stops the pool: key-2 of a is not tried")
                .containsExactly("a/key-1", "b/key-1");
    }

    /**
     * Spec §4.3, §4.5: {@code SkippedAuth} is "not counted as attempted", and when every candidate was
     * skipped for credentials the answer is 502 {@code no_configured_credential}, not UPSTREAM_UNAVAILABLE.
     */
    @Test
    void answersNoConfiguredCredentialWhenTheAdapterSkipsEveryCandidateForCredentials() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", skippedAuth());
        openai.willReturn("b", "key-1", skippedAuth());

        var result = gw.forward(chat("gpt-4o"));

        assertFailed(result, GatewayFailure.NO_CONFIGURED_CREDENTIAL);
    }

    /**
     * Spec §4.3, §4.5: a skipped candidate is not an attempt, so when every other candidate is cooling
     * the answer is 503 ALL_COOLING with Retry-After, not UPSTREAM_UNAVAILABLE.
     */
    @Test
    void answersAllCoolingWhenTheOnlyNonCoolingCandidateWasSkippedForCredentials() {
        var gw = gateway(upstream("a"), upstream("b"));
        store.save(key("a", "key-1"), new CooldownState(now().plusSeconds(20), 1));
        openai.willReturn("b", "key-1", skippedAuth());

        var result = gw.forward(chat("gpt-4o"));

        var failed = assertFailed(result, GatewayFailure.ALL_COOLING);
        assertThat(failed.retryAfter()).contains(Duration.ofSeconds(20));
    }

    @Test
    void answersNoUpstreamWhenNoUpstreamServesTheInboundFormat() {
        adapters.put("anthropic", new ScriptedUpstream("anthropic", Set.of(InboundFormat.MESSAGES)));
        adapters.put("openai", new ScriptedUpstream("openai", Set.of(InboundFormat.CHAT)));
        var gw = gateway(upstream("a"), upstream("claude").provider("anthropic").disabled());

        var result = gw.forward(command(InboundFormat.MESSAGES, "claude-3", Set.of("*")));

        assertFailed(result, GatewayFailure.NO_UPSTREAM);
    }

    @Test
    void answersModelNotSupportedWhenNoAllowListAdmitsTheModel() {
        var gw = gateway(upstream("a").models("gpt-4o"), upstream("b").models("gpt-4.1"));

        var result = gw.forward(chat("o3"));

        assertFailed(result, GatewayFailure.MODEL_NOT_SUPPORTED);
        assertThat(openai.targets()).isEmpty();
    }

    // ---- routing: model names (§4.1) ------------------------------------------------------------------------

    @Test
    void routesUpstreamPrefixedModelToThatUpstreamOnlyAndSendsTheBareModel() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("b", "key-1", serverError(500, "b down"), serverError(500, "b still down"));

        var result = gw.forward(chat("b/gpt-4o"));

        assertDelivered(result, 500, "b still down");
        assertThat(openai.sent()).extracting(ScriptedUpstream.Sent::target).containsExactly("b/key-1", "b/key-1");
        assertThat(openai.sent()).extracting(ScriptedUpstream.Sent::upstreamModel).containsOnly("gpt-4o");
        assertThat(openai.requests().getFirst().requestedModel()).isEqualTo("b/gpt-4o");
    }

    @Test
    void treatsASlashThatNamesNoUpstreamAsPartOfAPlainModelName() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", ok("llama"));

        var result = gw.forward(chat("meta-llama/Llama-3-70b"));

        assertDelivered(result, 200, "llama");
        assertThat(openai.sent()).extracting(ScriptedUpstream.Sent::upstreamModel)
                .containsExactly("meta-llama/Llama-3-70b");
    }

    /**
     * Spec §4.1 ("routes to that upstream only"): when the named upstream is configured but not usable for this
     * request (here: outside the local key's scope), {@code a/gpt-4o} must not reach another upstream.
     */
    @Test
    void neverSendsAnUpstreamPrefixedModelToAnotherUpstreamWhenTheNamedOneIsOutOfScope() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willAlwaysReturn("b", "key-1", ok("b answered a request meant for a"));

        var result = gw.forward(command(InboundFormat.CHAT, "a/gpt-4o", Set.of("b")));

        assertThat(openai.targets()).isEmpty();
        assertThat(result).isInstanceOf(ForwardResult.Failed.class);
    }

    @Test
    void sendsTheMappedModelUpstreamPreferringExactOverLongestPrefixOverWildcard() {
        var mappings = Map.of(
                "gpt-4o", "exact-target",
                "gpt-*", "short-prefix-target",
                "gpt-4*", "long-prefix-target",
                "*", "wildcard-target");
        var gw = gateway(upstream("a").mappings(mappings));
        openai.willAlwaysReturn("a", "key-1", ok("ok"));

        gw.forward(chat("gpt-4o"));
        gw.forward(chat("gpt-4.1"));
        gw.forward(chat("gpt-3.5"));
        gw.forward(chat("claude"));

        assertThat(openai.sent()).extracting(ScriptedUpstream.Sent::upstreamModel).containsExactly(
                "exact-target", "long-prefix-target", "short-prefix-target", "wildcard-target");
    }

    // ---- routing: order of candidates (§4.2) ----------------------------------------------------------------

    @Test
    void triesTheHigherPriorityGroupFirst() {
        var gw = gateway(upstream("low").priority(1), upstream("high").priority(10), upstream("mid").priority(5));
        openai.willReturn("high", "key-1", connectRefused(), connectRefused());
        openai.willReturn("mid", "key-1", credentialRejected(403, "forbidden"));
        openai.willReturn("low", "key-1", ok("low"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "low");
        assertThat(openai.targets()).containsExactly("high/key-1", "high/key-1", "mid/key-1", "low/key-1");
    }

    @Test
    void rotatesTheFirstUpstreamOfAPriorityGroupBetweenConsecutiveRequestsUnderRoundRobin() {
        settings = settings(RoutingStrategy.ROUND_ROBIN, RoutingStrategy.FILL_FIRST, 1);
        var gw = gateway(upstream("a"), upstream("b"), upstream("c"), upstream("backup").priority(-1));
        for (var id : List.of("a", "b", "c")) {
            openai.willAlwaysReturn(id, "key-1", ok(id));
        }

        var firsts = new ArrayList<String>();
        for (int i = 0; i < 4; i++) {
            firsts.add(bodyOf(((ForwardResult.Delivered) gw.forward(chat("gpt-4o"))).reply()));
        }

        assertThat(firsts).containsExactly("a", "b", "c", "a");
    }

    @Test
    void keepsConfigurationOrderUnderFillFirst() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willAlwaysReturn("a", "key-1", ok("a"));

        gw.forward(chat("gpt-4o"));
        gw.forward(chat("gpt-4o"));

        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1");
    }

    @Test
    void rotatesTheFirstApiKeyBetweenRequestsUnderAccountRoundRobin() {
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.ROUND_ROBIN, 1);
        var gw = gateway(upstream("a").keys(3));
        for (int i = 1; i <= 3; i++) {
            openai.willAlwaysReturn("a", "key-" + i, ok("key " + i));
        }

        for (int i = 0; i < 4; i++) {
            gw.forward(chat("gpt-4o"));
        }

        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2", "a/key-3", "a/key-1");
    }

    @Test
    void walksTheWholePoolFromTheRotatedStartUnderAccountRoundRobin() {
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.ROUND_ROBIN, 0);
        var gw = gateway(upstream("a").keys(3));
        openai.willReturn("a", "key-1", ok("first request"));
        openai.willReturn("a", "key-2", deliverable(404, "2"));
        openai.willReturn("a", "key-3", deliverable(404, "3"));
        openai.willReturn("a", "key-1", ok("wrapped around"));

        gw.forward(chat("gpt-4o"));
        var second = gw.forward(chat("gpt-4o"));

        assertDelivered(second, 200, "wrapped around");
        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-2", "a/key-3", "a/key-1");
    }

    @Test
    void movesAnUpstreamWhoseKeysAllCoolBehindAReadyOneOfTheSameGroup() {
        var gw = gateway(upstream("a"), upstream("b"), upstream("c"));
        store.save(key("a", "key-1"), new CooldownState(now().plusSeconds(30), 1));
        store.save(key("b", "key-1"), new CooldownState(now().plusSeconds(5), 1));
        openai.willReturn("c", "key-1", ok("c is ready"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "c is ready");
        assertThat(openai.targets()).containsExactly("c/key-1");
    }

    @Test
    void triesCoolingUpstreamsEarliestRecoveryFirstOnceTheirCooldownPassesDuringTheRequest() {
        // c is ready but slow; while it fails, a and b recover. b recovers first, so it comes before a.
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.FILL_FIRST, 0);
        var gw = gateway(upstream("a"), upstream("b"), upstream("c"));
        store.save(key("a", "key-1"), new CooldownState(now().plusSeconds(30), 1));
        store.save(key("b", "key-1"), new CooldownState(now().plusSeconds(5), 1));
        openai.onSend(r -> clock.advance(Duration.ofSeconds(60)));
        openai.willReturn("c", "key-1", connectRefused());
        openai.willReturn("b", "key-1", connectRefused());
        openai.willReturn("a", "key-1", ok("a"));

        var result = gw.forward(chat("gpt-4o"));

        assertDelivered(result, 200, "a");
        assertThat(openai.targets()).containsExactly("c/key-1", "b/key-1", "a/key-1");
    }

    @Test
    void neverSendsToUpstreamsOutsideTheLocalKeyScope() {
        var gw = gateway(upstream("a"), upstream("b"), upstream("c"));
        openai.willReturn("b", "key-1", connectRefused(), connectRefused());
        openai.willReturn("c", "key-1", deliverable(404, "c 404"));

        var result = gw.forward(command(InboundFormat.CHAT, "gpt-4o", Set.of("b", "c")));

        assertDelivered(result, 404, "c 404");
        assertThat(openai.targets()).containsExactly("b/key-1", "b/key-1", "c/key-1");
    }

    // ---- the request deadline (§4.4) ------------------------------------------------------------------------

    @Test
    void passesTheRequestDeadlineAndTheUpstreamModelToEveryAttempt() {
        var gw = gateway(upstream("a"), upstream("b"));
        Instant start = now();
        openai.onSend(r -> clock.advance(Duration.ofSeconds(3)));
        openai.willReturn("a", "key-1", credentialRejected(401, "no"));
        openai.willReturn("b", "key-1", ok("b"));

        gw.forward(chat("gpt-4o"));

        assertThat(openai.sent()).extracting(ScriptedUpstream.Sent::deadline)
                .containsOnly(start.plusSeconds(300));
        assertThat(openai.requests()).allSatisfy(r -> assertThat(r.timeouts()).isEqualTo(AttemptTimeouts.DEFAULTS));
    }

    @Test
    void sendsNoFurtherAttemptOnceTheRequestDeadlinePassedAndAnswersTimeout() {
        var gw = gateway(upstream("a").keys(2), upstream("b"));
        openai.onSend(r -> clock.advance(Duration.ofSeconds(301)));
        openai.willReturn("a", "key-1", connectRefused());

        var result = gw.forward(chat("gpt-4o"));

        assertFailed(result, GatewayFailure.TIMEOUT);
        assertThat(openai.targets()).as("no in-place retry, no next key, no next upstream").containsExactly("a/key-1");
    }

    @Test
    void stopsFailingOverWhenTheDeadlinePassesBetweenUpstreams() {
        var gw = gateway(upstream("a"), upstream("b"), upstream("c"));
        openai.onSend(r -> clock.advance(Duration.ofSeconds(160)));
        openai.willReturn("a", "key-1", deliverable(404, "a has no such model"));
        openai.willReturn("b", "key-1", timedOut());

        var result = gw.forward(chat("gpt-4o"));

        assertThat(openai.targets()).containsExactly("a/key-1", "b/key-1");
        assertDelivered(result, 404, "a has no such model");
    }

    @Test
    void anUpstreamRefusingItsOwnCredentialIsNeverShownAsTheClientsAuthFailure() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", credentialRejected(401, "Incorrect API key provided: sk-a***"));
        openai.willReturn("b", "key-1", credentialRejected(403, "forbidden"));

        var failed = assertFailed(gw.forward(chat("gpt-4o")), GatewayFailure.UPSTREAM_CREDENTIAL_REJECTED);

        assertThat(failed.message()).contains("upstream 'b'").contains("HTTP 403").doesNotContain("sk-");
        assertThat(failed.summary().attempts()).isEqualTo(2);
    }

    @Test
    void aLaterDeliverableAnswerWinsOverAnEarlierCredentialRefusal() {
        var gw = gateway(upstream("a"), upstream("b"));
        openai.willReturn("a", "key-1", credentialRejected(401, "bad key"));
        openai.willReturn("b", "key-1", deliverable(404, "b has no such model"));

        assertDelivered(gw.forward(chat("gpt-4o")), 404, "b has no such model");
    }

    @Test
    void aDeliveredAnswerNamesTheUpstreamCredentialAndModelThatServedIt() {
        var gw = gateway(upstream("a"), upstream("b").mappings(Map.of("gpt-4o", "gpt-4.1")));
        openai.willReturn("a", "key-1", serverError(502, "down"), serverError(502, "down"));
        openai.willReturn("b", "key-1", ok("from b"));

        var result = gw.forward(chat("gpt-4o"));

        assertThat(result.summary()).isEqualTo(new dev.tokenproxy.application.port.in.ForwardSummary(3,
                Optional.of(key("b", "key-1")), Optional.of("gpt-4.1")));
    }

    // ---- cooldown lifecycle (§5) ----------------------------------------------------------------------------

    @Test
    void clearsACredentialsCooldownWhenItsHalfOpenProbeSucceeds() {
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.FILL_FIRST, 0);
        var gw = gateway(upstream("a"));
        openai.willReturn("a", "key-1", serverError(500, "down"), ok("recovered"), serverError(500, "down again"));

        gw.forward(chat("gpt-4o"));
        assertThat(cooldownOf("a", "key-1")).map(CooldownState::until).contains(now().plusSeconds(10));

        clock.advance(Duration.ofSeconds(10));
        assertDelivered(gw.forward(chat("gpt-4o")), 200, "recovered");
        assertThat(cooldownOf("a", "key-1")).isEmpty();

        // After the success the next failure starts again at the base length: the streak was reset.
        gw.forward(chat("gpt-4o"));
        assertThat(cooldownOf("a", "key-1")).contains(new CooldownState(now().plusSeconds(10), 1));
    }

    @Test
    void doublesTheCooldownOnConsecutiveTransientFailuresUpToTheCap() {
        settings = settings(RoutingStrategy.FILL_FIRST, RoutingStrategy.FILL_FIRST, 0);
        var gw = gateway(upstream("a"));
        openai.willAlwaysReturn("a", "key-1", serverError(500, "down"));

        var lengths = new ArrayList<Long>();
        for (int i = 0; i < 4; i++) {
            gw.forward(chat("gpt-4o"));
            var until = cooldownOf("a", "key-1").orElseThrow().until();
            long seconds = Duration.between(now(), until).toSeconds();
            lengths.add(seconds);
            clock.advance(Duration.ofSeconds(seconds));
        }

        assertThat(lengths).containsExactly(10L, 20L, 30L, 30L);
        assertThat(openai.targets()).hasSize(4);
    }

    @Test
    void theInPlaceRetryIsNotBlockedByTheCooldownItsOwnFailureRecorded() {
        var gw = gateway(upstream("a"));
        openai.willReturn("a", "key-1", connectRefused(), connectRefused());

        gw.forward(chat("gpt-4o"));

        assertThat(openai.targets()).containsExactly("a/key-1", "a/key-1");
        assertThat(cooldownOf("a", "key-1")).map(CooldownState::consecutiveFailures).contains(2);
    }
}
