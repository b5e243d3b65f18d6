package dev.tokenproxy.adapter.out.upstream.kiro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.TokenRefreshPort.Result;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.testing.FakeKiroRefreshEndpoint;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KiroTokenRefresherTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABC";

    private final FakeKiroRefreshEndpoint fake = FakeKiroRefreshEndpoint.start();
    private final KiroTokenRefresher refresher = new KiroTokenRefresher(URI.create(fake.socialUrl()),
            fake.oidcUrl(), Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void close() {
        refresher.close();
        fake.close();
    }

    @Test
    void refreshesASocialLoginAndKeepsTheRotatedTokenAndProfile() {
        fake.acceptSocialRefreshToken("rt-1", ARN);

        Result result = refresher.refresh(account("rt-1", Map.of()));

        assertThat(result).isInstanceOfSatisfying(Result.Refreshed.class, refreshed -> {
            StoredAccount account = refreshed.account();
            assertThat(account.accessToken().reveal()).startsWith("kiro-at-");
            assertThat(account.refreshToken().orElseThrow().reveal()).isEqualTo(fake.currentRefreshToken(ARN));
            assertThat(account.expiresAt()).contains(NOW.plusSeconds(3600));
            assertThat(account.attributes()).containsEntry(KiroTokenRefresher.PROFILE_ARN, ARN);
        });
        assertThat(fake.requests()).singleElement().satisfies(request -> {
            assertThat(request.pathWithoutQuery()).isEqualTo(FakeKiroRefreshEndpoint.SOCIAL_PATH);
            assertThat(request.json().path("refreshToken").asText()).isEqualTo("rt-1");
        });
    }

    @Test
    void refreshesAnIdcLoginWithItsClientRegistration() {
        fake.acceptOidcRefreshToken("rt-idc", "client-1", "secret-1");
        var idc = account("rt-idc", Map.of(KiroTokenRefresher.CLIENT_ID, "client-1",
                KiroTokenRefresher.CLIENT_SECRET, "secret-1", KiroTokenRefresher.PROFILE_ARN, ARN));

        Result result = refresher.refresh(idc);

        assertThat(result).isInstanceOfSatisfying(Result.Refreshed.class, refreshed -> {
            assertThat(refreshed.account().refreshToken().orElseThrow().reveal())
                    .isEqualTo(fake.currentRefreshToken("client-1"));
            assertThat(refreshed.account().attributes()).containsEntry(KiroTokenRefresher.PROFILE_ARN, ARN);
        });
        assertThat(fake.requests().getFirst().json().path("grantType").asText()).isEqualTo("refresh_token");
    }

    @Test
    void aUsedOrUnknownRefreshTokenIsRejectedForGood() {
        fake.acceptOidcRefreshToken("rt-idc", "client-1", "secret-1");
        var idc = account("rt-idc", Map.of(KiroTokenRefresher.CLIENT_ID, "client-1",
                KiroTokenRefresher.CLIENT_SECRET, "secret-1"));
        assertThat(refresher.refresh(idc)).isInstanceOf(Result.Refreshed.class);

        assertThat(refresher.refresh(idc)).isEqualTo(new Result.Rejected("invalid_grant"));
        assertThat(refresher.refresh(account("unknown", Map.of()))).isEqualTo(new Result.Rejected("http 401"));
    }

    @Test
    void anOverloadedOrUnreachableEndpointIsATransientFailure() {
        fake.acceptSocialRefreshToken("rt-1", ARN).failNext(503, "{\"message\":\"busy\"}");
        assertThat(refresher.refresh(account("rt-1", Map.of()))).isEqualTo(new Result.Failed("http 503"));
        assertThat(refresher.refresh(account("rt-1", Map.of()))).isInstanceOf(Result.Refreshed.class);

        fake.close();
        assertThat(refresher.refresh(account("rt-2", Map.of()))).isInstanceOfSatisfying(Result.Failed.class,
                failed -> assertThat(failed.reason()).startsWith("token endpoint unreachable"));
    }

    @Test
    void anAccountWithoutRefreshTokenIsRejectedWithoutACall() {
        var account = new StoredAccount("kiro-a", "kiro", AccountStatus.ACTIVE, new Secret("at"), Optional.empty(),
                Optional.empty(), Map.of());
        assertThat(refresher.refresh(account)).isEqualTo(new Result.Rejected("no refresh token"));
        assertThat(fake.requests()).isEmpty();
    }

    private static StoredAccount account(String refreshToken, Map<String, String> attributes) {
        return new StoredAccount("kiro-a", "kiro", AccountStatus.ACTIVE, new Secret("at-old"),
                Optional.of(new Secret(refreshToken)), Optional.of(NOW), attributes);
    }
}
