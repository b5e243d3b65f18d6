package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeOAuthTokenEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeOAuthTokenEndpoint fake;

    @AfterEach
    void closeFake() {
        if (fake != null) {
            fake.close();
        }
        client.close();
    }

    @Test
    void anAcceptedRefreshReturnsJwtsAndARotatedRefreshToken() throws Exception {
        fake = FakeOAuthTokenEndpoint.start(Clock.fixed(NOW, ZoneOffset.UTC))
                .acceptRefreshToken("rt-1", "acct-1", "alice@example.com");

        HttpResponse<String> response = refresh("rt-1");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(payload(body.path("access_token").asText()).path("exp").asLong())
                .isEqualTo(NOW.plusSeconds(3600).getEpochSecond());
        JsonNode id = payload(body.path("id_token").asText());
        assertThat(id.at("/https:~1~1api.openai.com~1auth/chatgpt_account_id").asText()).isEqualTo("acct-1");
        assertThat(id.path("email").asText()).isEqualTo("alice@example.com");
        String rotated = body.path("refresh_token").asText();
        assertThat(rotated).isNotEqualTo("rt-1");
        assertThat(fake.liveRefreshToken("acct-1")).hasValue(rotated);
        assertThat(fake.issuedAccessTokens()).containsExactly(body.path("access_token").asText());
    }

    @Test
    void aRefreshTokenWorksOnceThenAnswersReused() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt-1", "acct-1", "a@example.com");

        String rotated = JSON.readTree(refresh("rt-1").body()).path("refresh_token").asText();
        HttpResponse<String> again = refresh("rt-1");
        HttpResponse<String> next = refresh(rotated);

        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).path("error").asText()).isEqualTo("refresh_token_reused");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(fake.refreshCount("rt-1")).isEqualTo(2);
        assertThat(fake.refreshCount(rotated)).isEqualTo(1);
    }

    @Test
    void anUnknownRefreshTokenOrClientIsRefused() throws Exception {
        fake = FakeOAuthTokenEndpoint.start();

        HttpResponse<String> unknown = refresh("rt-unknown");
        HttpResponse<String> wrongClient = post("grant_type=refresh_token&client_id=other&refresh_token=x");

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(wrongClient.statusCode()).isEqualTo(401);
    }

    @Test
    void scriptedAnswersComeFirstAndDoNotUseTheToken() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt-1", "acct-1", "a@example.com")
                .failNext(503, "{\"error\":\"temporarily_unavailable\"}");

        HttpResponse<String> first = refresh("rt-1");
        HttpResponse<String> second = refresh("rt-1");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(second.statusCode()).isEqualTo(200);
    }

    @Test
    void recordsTheFormOfEveryRequest() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt 1&2", "acct-1", "a@example.com");

        refresh("rt 1&2");

        var sent = fake.tokenRequests().getFirst();
        assertThat(sent.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(sent.grantType()).isEqualTo("refresh_token");
        assertThat(sent.clientId()).isEqualTo(FakeOAuthTokenEndpoint.CLIENT_ID);
        assertThat(sent.refreshToken()).isEqualTo("rt 1&2");
        assertThat(sent.scope()).isEqualTo("openid profile email");
    }

    @Test
    void heldRefreshesAreDecidedOnArrivalAndAnsweredOnRelease() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt-1", "acct-1", "a@example.com");
        var hold = fake.holdRefreshes();

        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> refreshUnchecked("rt-1"));
        assertThat(fake.awaitRequests(1, WAIT)).isTrue();
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> refreshUnchecked("rt-1"));
        assertThat(fake.awaitRequests(2, WAIT)).isTrue();
        assertThat(first).isNotDone();
        hold.release();

        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(second.get().statusCode()).isEqualTo(400);
        assertThat(fake.refreshCount("rt-1")).isEqualTo(2);
    }

    @Test
    void knowsWhichRefreshTokensItHeld() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt-1", "acct-1", "a@example.com")
                .acceptRefreshToken("rt-2", "acct-2", "b@example.com");
        assertThat(refresh("rt-1").statusCode()).isEqualTo(200);
        var hold = fake.holdRefreshes();

        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> refreshUnchecked("rt-2"));
        assertThat(fake.awaitRequests(2, WAIT)).isTrue();

        assertThat(fake.heldRefreshTokens()).containsExactly("rt-2");
        hold.release();
        assertThat(held.get().statusCode()).isEqualTo(200);
    }

    @Test
    void canLeaveOutExpiresInAndRotation() throws Exception {
        fake = FakeOAuthTokenEndpoint.start().acceptRefreshToken("rt-1", "acct-1", "a@example.com")
                .withoutExpiresIn().withoutRotation();

        JsonNode body = JSON.readTree(refresh("rt-1").body());

        assertThat(body.has("expires_in")).isFalse();
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(refresh("rt-1").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> refreshUnchecked(String refreshToken) {
        try {
            return refresh(refreshToken);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> refresh(String refreshToken) throws Exception {
        return post("grant_type=refresh_token&client_id=" + FakeOAuthTokenEndpoint.CLIENT_ID + "&refresh_token="
                + java.net.URLEncoder.encode(refreshToken, StandardCharsets.UTF_8) + "&scope=openid+profile+email");
    }

    private HttpResponse<String> post(String form) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(fake.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode payload(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }
}
