package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.Outcomes.connectRefused;
import static dev.tokenproxy.application.fakes.Outcomes.credentialRejected;
import static dev.tokenproxy.application.fakes.Outcomes.deliverable;
import static dev.tokenproxy.application.fakes.Outcomes.emptyCompletion;
import static dev.tokenproxy.application.fakes.Outcomes.fatal;
import static dev.tokenproxy.application.fakes.Outcomes.ok;
import static dev.tokenproxy.application.fakes.Outcomes.rateLimited;
import static dev.tokenproxy.application.fakes.Outcomes.serverError;
import static dev.tokenproxy.application.fakes.Outcomes.skippedAuth;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.InMemoryCooldownStore;
import dev.tokenproxy.application.fakes.MutableClock;
import dev.tokenproxy.application.model.Credential;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.domain.cooldown.CooldownPolicy;
import dev.tokenproxy.domain.cooldown.CooldownState;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CooldownBookTest {

    private final MutableClock clock = MutableClock.atEpochDay();
    private final InMemoryCooldownStore store = new InMemoryCooldownStore();
    private final CooldownBook book = new CooldownBook(store, CooldownPolicy.DEFAULTS, clock);
    private final CredentialKey key = new CredentialKey("a", "key-1");

    private Instant now() {
        return clock.instant();
    }

    private static Credential credential(String upstream, String id) {
        return new Credential.ApiKey(new CredentialKey(upstream, id), new Secret("sk"));
    }

    @Test
    void coolsATransientFailureForTheBaseLength() {
        book.record(key, serverError(500, "x"));

        assertThat(store.find(key)).contains(new CooldownState(now().plusSeconds(10), 1));
        assertThat(book.isCooling(key)).isTrue();
        assertThat(book.coolingUntil(key)).contains(now().plusSeconds(10));
    }

    @Test
    void doublesConsecutiveTransientFailuresUpToTheMaximum() {
        var lengths = new ArrayList<Duration>();
        for (int i = 0; i < 4; i++) {
            book.record(key, connectRefused());
            var until = store.find(key).orElseThrow().until();
            lengths.add(Duration.between(now(), until));
            clock.advance(Duration.between(now(), until));
        }

        assertThat(lengths).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        assertThat(store.find(key).orElseThrow().consecutiveFailures()).isEqualTo(4);
    }

    @Test
    void coolsARejectedCredentialForTheCredentialLength() {
        book.record(key, credentialRejected(403, "forbidden"));

        assertThat(book.coolingUntil(key)).contains(now().plusSeconds(300));
    }

    @Test
    void coolsForTheUpstreamsWaitHint() {
        book.record(key, rateLimited(Duration.ofSeconds(42), "slow"));

        assertThat(book.coolingUntil(key)).contains(now().plusSeconds(42));
    }

    @Test
    void capsAWaitHintAtTheHintMaximum() {
        book.record(key, rateLimited(Duration.ofDays(3), "come back in three days"));

        assertThat(book.coolingUntil(key)).contains(now().plus(Duration.ofHours(24)));
    }

    @Test
    void neverShortensALaterDeadlineWithAShorterFailure() {
        book.record(key, credentialRejected(401, "bad"));
        clock.advance(Duration.ofSeconds(1));

        book.record(key, serverError(500, "x"));

        assertThat(book.coolingUntil(key)).contains(now().plusSeconds(299));
    }

    @Test
    void neverCoolsForAnEmptyCompletion() {
        book.record(key, emptyCompletion());

        assertThat(store.all()).isEmpty();
        assertThat(book.isCooling(key)).isFalse();
    }

    @Test
    void anEmptyCompletionLeavesAnExistingCooldownAsItWas() {
        book.record(key, serverError(500, "x"));
        var before = store.find(key).orElseThrow();

        book.record(key, emptyCompletion());

        assertThat(store.find(key)).contains(before);
    }

    @Test
    void aSuccessClearsTheCooldownEvenWhenItIsNon2xx() {
        book.record(key, serverError(500, "x"));
        clock.advance(Duration.ofSeconds(10));

        book.record(key, deliverable(404, "not found"));

        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void aSuccessResetsTheDoublingStreak() {
        book.record(key, serverError(500, "x"));
        book.record(key, ok("fine"));

        book.record(key, serverError(500, "x"));

        assertThat(store.find(key)).contains(new CooldownState(now().plusSeconds(10), 1));
    }

    @Test
    void fatalAndSkippedAuthNeitherCoolNorClear() {
        book.record(key, fatal(400, "context_length_exceeded"));
        book.record(key, skippedAuth());
        assertThat(store.all()).isEmpty();

        book.record(key, serverError(500, "x"));
        var cooling = store.find(key).orElseThrow();
        book.record(key, fatal(400, "context_length_exceeded"));
        book.record(key, skippedAuth());

        assertThat(store.find(key)).contains(cooling);
    }

    @Test
    void anExpiredCooldownIsHalfOpenButStillRememberedSoTheNextFailureDoubles() {
        book.record(key, serverError(500, "x"));
        clock.advance(Duration.ofSeconds(10));

        assertThat(book.isCooling(key)).as("expired: ready for a probe").isFalse();
        assertThat(book.coolingUntil(key)).isEmpty();

        book.record(key, serverError(500, "probe failed"));
        assertThat(book.coolingUntil(key)).contains(now().plusSeconds(20));
    }

    @Test
    void coolsEachCredentialOnItsOwn() {
        var other = new CredentialKey("a", "key-2");
        book.record(key, serverError(500, "x"));

        assertThat(book.isCooling(other)).isFalse();
        book.record(other, ok("fine"));
        assertThat(book.isCooling(key)).isTrue();
    }

    @Test
    void reportsTheEarliestRecoveryWhenEveryCredentialIsCooling() {
        var creds = List.of(credential("a", "key-1"), credential("a", "key-2"));
        store.save(creds.get(0).key(), new CooldownState(now().plusSeconds(50), 1));
        store.save(creds.get(1).key(), new CooldownState(now().plusSeconds(20), 1));

        assertThat(book.allCoolingUntil(creds)).contains(now().plusSeconds(20));
    }

    @Test
    void reportsNothingWhenAnyCredentialIsReadyOrHalfOpen() {
        var creds = List.of(credential("a", "key-1"), credential("a", "key-2"));
        store.save(creds.get(0).key(), new CooldownState(now().plusSeconds(50), 1));
        assertThat(book.allCoolingUntil(creds)).as("key-2 never failed").isEmpty();

        store.save(creds.get(1).key(), new CooldownState(now().minusSeconds(1), 1));
        assertThat(book.allCoolingUntil(creds)).as("key-2 expired: half-open").isEmpty();
    }

    @Test
    void reportsNothingForAnUpstreamWithoutCredentials() {
        assertThat(book.allCoolingUntil(List.of())).isEmpty();
    }
}
