package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.Outcomes.bodyOf;
import static dev.tokenproxy.application.fakes.Outcomes.credentialRejected;
import static dev.tokenproxy.application.fakes.Outcomes.deliverable;
import static dev.tokenproxy.application.fakes.Outcomes.emptyCompletion;
import static dev.tokenproxy.application.fakes.Outcomes.ok;
import static dev.tokenproxy.application.fakes.Outcomes.rateLimited;
import static dev.tokenproxy.application.fakes.Outcomes.serverError;
import static dev.tokenproxy.application.fakes.TestUpstreams.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.InMemoryAccountStore;
import dev.tokenproxy.application.fakes.InMemoryCooldownStore;
import dev.tokenproxy.application.fakes.MutableClock;
import dev.tokenproxy.application.fakes.ScriptedTokenRefresher;
import dev.tokenproxy.application.fakes.ScriptedUpstream;
import dev.tokenproxy.application.fakes.TestUpstreams;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.GatewaySettings;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.account.UsageWindow;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.failover.RoutingStrategy;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Account pools through the use case (behaviour §3): the decision to switch accounts is taken from each attempt's
 * final outcome; tokens are refreshed on a 401 and before expiry; accounts that cannot serve are skipped.
 */
class AccountPoolFailoverTest {

    private final MutableClock clock = MutableClock.atEpochDay();
    private final InMemoryCooldownStore cooldownStore = new InMemoryCooldownStore();
    private final InMemoryAccountStore accounts = new InMemoryAccountStore();
    private final ScriptedTokenRefresher refresher = new ScriptedTokenRefresher("codex", clock);
    private final UsageBook usage = new UsageBook();
    private final ScriptedUpstream codex = new ScriptedUpstream(new ProviderDescriptor("codex",
            Set.of(InboundFormat.RESPONSES), Set.of(InboundFormat.CHAT), ProviderDescriptor.CredentialKind.ACCOUNTS));
    private final ScriptedUpstream openai = ScriptedUpstream.openai();
    private final Map<String, SendAttemptPort> adapters = new HashMap<>(Map.of("codex", codex, "openai", openai));
    private GatewaySettings settings = GatewaySettings.DEFAULTS;

    private ForwardRequestService gateway(TestUpstreams... upstreams) {
        var catalog = new UpstreamCatalog(Arrays.stream(upstreams).map(TestUpstreams::build).toList());
        var cooldowns = new CooldownBook(cooldownStore, CooldownPolicy.DEFAULTS, clock);
        return new ForwardRequestService(catalog, adapters, cooldowns,
                new CredentialPools(accounts, cooldowns, usage, clock),
                new AccountSessions(accounts, List.of(refresher), clock), settings, clock);
    }

    private static TestUpstreams codexPool(String id, int priority, String... accountIds) {
        return upstream(id).provider("codex").accounts(accountIds).priority(priority);
    }

    private static ForwardRequestCommand chat() {
        return new ForwardRequestCommand(InboundFormat.CHAT, "gpt-5", false,
                "{\"model\":\"gpt-5\"}".getBytes(StandardCharsets.UTF_8), Set.of("*"));
    }

    private Instant inAnHour() {
        return clock.instant().plusSeconds(3600);
    }

    private static void assertDelivered(ForwardResult result, int status, String body) {
        assertThat(result).isInstanceOfSatisfying(ForwardResult.Delivered.class, delivered -> {
            assertThat(delivered.reply().status()).isEqualTo(status);
            assertThat(bodyOf(delivered.reply())).isEqualTo(body);
        });
    }

    @Test
    void anEmptyCompletionFromTheFirstAccountIsAnsweredByTheNextAccount() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", emptyCompletion()).willReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
        assertThat(codex.targets()).containsExactly("pool/a", "pool/b");
        assertThat(cooldownStore.find(new CredentialKey("pool", "a"))).as("empty answers never cool").isEmpty();
    }

    @Test
    void aNonRetryable4xxOfOneAccountLetsTheNextAccountAnswer() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", deliverable(404, "not for a")).willReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
    }

    @Test
    void aUsageLimitSendsTheRequestToTheNextAccountAndTheNextRequestSkipsTheFirstUntilItsReset() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", rateLimited(Duration.ofMinutes(30), "usage_limit_reached"))
                .willAlwaysReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
        assertDelivered(gw.forward(chat()), 200, "from b");
        assertThat(codex.targets()).containsExactly("pool/a", "pool/b", "pool/b");

        clock.advance(Duration.ofMinutes(31));
        codex.willReturn("pool", "a", ok("a is back"));
        assertDelivered(gw.forward(chat()), 200, "a is back");
    }

    @Test
    void anAccountThatReportedAUsedUpWindowIsNotTriedUntilTheWindowResets() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        Instant reset = clock.instant().plusSeconds(600);
        usage.report(new CredentialKey("pool", "a"), new UsageSnapshot(
                Optional.of(new UsageWindow(100.0, Optional.of(Duration.ofHours(5)), Optional.of(reset))),
                Optional.empty(), clock.instant()));
        codex.willAlwaysReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
        assertThat(codex.targets()).containsExactly("pool/b");

        clock.advance(Duration.ofSeconds(601));
        codex.willReturn("pool", "a", ok("from a"));
        assertDelivered(gw.forward(chat()), 200, "from a");
    }

    @Test
    void a401IsCuredByOneRefreshAndOneResendToTheSameAccountWhoseRotatedTokensAreStored() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", credentialRejected(401, "token_expired"), ok("from a"));

        assertDelivered(gw.forward(chat()), 200, "from a");

        assertThat(codex.targets()).containsExactly("pool/a", "pool/a");
        assertThat(codex.requests().get(0).credential().secret().reveal()).isEqualTo("at-a");
        assertThat(codex.requests().get(1).credential().secret().reveal()).isEqualTo("at-a-r1");
        assertThat(refresher.refreshed()).containsExactly("a");
        assertThat(accounts.get("a").refreshToken().orElseThrow().reveal()).isEqualTo("rt-a-r1");
        assertThat(cooldownStore.find(new CredentialKey("pool", "a"))).as("a cured 401 does not cool").isEmpty();
    }

    @Test
    void a401AfterTheRefreshCoolsTheAccountAndMovesOn() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", credentialRejected(401, "expired"), credentialRejected(401, "still"))
                .willReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
        assertThat(codex.targets()).containsExactly("pool/a", "pool/a", "pool/b");
        assertThat(refresher.refreshed()).containsExactly("a");
        assertThat(cooldownStore.find(new CredentialKey("pool", "a"))).isPresent();
    }

    @Test
    void aRefusedRefreshSkipsTheUpstreamMarksTheAccountAndTheNextUpstreamAnswers() {
        accounts.add("a", "codex", inAnHour());
        refresher.refusing("refresh_token_reused");
        var gw = gateway(codexPool("pool", 10), upstream("backup"));
        codex.willReturn("pool", "a", credentialRejected(401, "token_expired"));
        openai.willReturn("backup", "key-1", ok("from backup"));

        assertDelivered(gw.forward(chat()), 200, "from backup");
        assertThat(accounts.get("a").status()).isEqualTo(AccountStatus.NEEDS_LOGIN);

        openai.willReturn("backup", "key-1", ok("again"));
        assertDelivered(gw.forward(chat()), 200, "again");
        assertThat(codex.targets()).as("an account that needs a login is never tried").containsExactly("pool/a");
    }

    @Test
    void aTokenAboutToExpireIsRefreshedBeforeTheRequestIsSent() {
        accounts.add("a", "codex", clock.instant().plusSeconds(60));
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", ok("fresh"));

        assertDelivered(gw.forward(chat()), 200, "fresh");
        assertThat(refresher.refreshed()).containsExactly("a");
        assertThat(codex.requests().get(0).credential().secret().reveal()).isEqualTo("at-a-r1");
    }

    @Test
    void anExpiredTokenWhoseRefreshFailsForNowIsNotSentAndTheNextAccountAnswers() {
        accounts.add("a", "codex", clock.instant().minusSeconds(1)).add("b", "codex", inAnHour());
        refresher.failing("token endpoint unreachable");
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "b", ok("from b"));

        assertDelivered(gw.forward(chat()), 200, "from b");
        assertThat(codex.targets()).containsExactly("pool/b");
        assertThat(accounts.get("a").status()).as("a passing failure is no reason to log in again")
                .isEqualTo(AccountStatus.ACTIVE);
    }

    @Test
    void aPinnedUpstreamNeverSwitchesAccountAndTheNextUpstreamAnswers() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(upstream("alice").provider("codex").pinnedTo("a").priority(10), upstream("backup"));
        codex.willReturn("alice", "a", emptyCompletion());
        openai.willReturn("backup", "key-1", ok("from backup"));

        assertDelivered(gw.forward(chat()), 200, "from backup");
        assertThat(codex.targets()).containsExactly("alice/a");
    }

    @Test
    void whenEveryAccountFailsThePlainUpstreamAnswers() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 10), upstream("backup"));
        codex.willReturn("pool", "a", serverError(502, "a down"), serverError(502, "a down"))
                .willReturn("pool", "b", rateLimited(Duration.ofSeconds(30), "b limited"));
        openai.willReturn("backup", "key-1", ok("from backup"));

        assertDelivered(gw.forward(chat()), 200, "from backup");
        assertThat(codex.targets()).containsExactly("pool/a", "pool/a", "pool/b");
    }

    @Test
    void whenEveryAccountIsCoolingAndNothingElseServesTheAnswerIs503WithTheEarliestRecovery() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "a", rateLimited(Duration.ofSeconds(40), "a limited"))
                .willReturn("pool", "b", rateLimited(Duration.ofSeconds(90), "b limited"));
        gw.forward(chat());

        var result = gw.forward(chat());

        assertThat(result).isInstanceOfSatisfying(ForwardResult.Failed.class, failed -> {
            assertThat(failed.failure()).isEqualTo(GatewayFailure.ALL_COOLING);
            assertThat(failed.retryAfter()).contains(Duration.ofSeconds(40));
        });
        assertThat(codex.targets()).hasSize(2);
    }

    @Test
    void disabledAccountsAndAccountsOfAnotherProviderAreNeverInThePool() {
        accounts.add("off", "codex", inAnHour()).add("kiro-1", "kiro", inAnHour()).add("on", "codex", inAnHour());
        accounts.update(accounts.get("off").withStatus(AccountStatus.DISABLED));
        var gw = gateway(codexPool("pool", 0));
        codex.willReturn("pool", "on", ok("from on"));

        assertDelivered(gw.forward(chat()), 200, "from on");
        assertThat(codex.targets()).containsExactly("pool/on");
    }

    @Test
    void aListedPoolUsesOnlyItsAccountsInTheListedOrder() {
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour()).add("c", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0, "c", "a"));
        codex.willReturn("pool", "c", serverError(500, "x"), serverError(500, "x"))
                .willReturn("pool", "a", serverError(500, "y"), serverError(500, "y"));

        gw.forward(chat());

        assertThat(codex.targets()).containsExactly("pool/c", "pool/c", "pool/a", "pool/a");
    }

    @Test
    void roundRobinStartsEachRequestAtTheNextAccount() {
        settings = new GatewaySettings(RoutingStrategy.FILL_FIRST, RoutingStrategy.ROUND_ROBIN, 1,
                Duration.ofSeconds(300), AttemptTimeouts.DEFAULTS);
        accounts.add("a", "codex", inAnHour()).add("b", "codex", inAnHour());
        var gw = gateway(codexPool("pool", 0));
        codex.willAlwaysReturn("pool", "a", ok("a")).willAlwaysReturn("pool", "b", ok("b"));

        gw.forward(chat());
        gw.forward(chat());
        gw.forward(chat());

        assertThat(codex.targets()).containsExactly("pool/a", "pool/b", "pool/a");
    }
}
