package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeKiroRefreshEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABC";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final FakeKiroRefreshEndpoint fake = FakeKiroRefreshEndpoint.start();

    @AfterEach
    void close() {
        fake.close();
        client.close();
    }

    @Test
    void aSocialRefreshRotatesTheTokenAndReportsTheProfile() throws Exception {
        fake.acceptSocialRefreshToken("rt-social", ARN);

        var first = post(fake.socialUrl(), JSON.createObjectNode().put("refreshToken", "rt-social"));
        var reused = post(fake.socialUrl(), JSON.createObjectNode().put("refreshToken", "rt-social"));

        assertThat(first.statusCode()).isEqualTo(200);
        JsonNode tokens = JSON.readTree(first.body());
        assertThat(tokens.path("profileArn").asText()).isEqualTo(ARN);
        assertThat(tokens.path("expiresIn").asLong()).isEqualTo(3600);
        assertThat(fake.currentRefreshToken(ARN)).isEqualTo(tokens.path("refreshToken").asText());
        assertThat(reused.statusCode()).isEqualTo(401);
    }

    @Test
    void anOidcRefreshNeedsItsClientAndIsSingleUse() throws Exception {
        fake.acceptOidcRefreshToken("rt-idc", "client-1", "secret-1");

        var wrongClient = post(fake.oidcUrl(), oidc("rt-idc", "client-1", "nope"));
        var ok = post(fake.oidcUrl(), oidc("rt-idc", "client-1", "secret-1"));
        var reused = post(fake.oidcUrl(), oidc("rt-idc", "client-1", "secret-1"));

        assertThat(JSON.readTree(wrongClient.body()).path("error").asText()).isEqualTo("invalid_client");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).has("profileArn")).isFalse();
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(reused.body()).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(fake.requests()).hasSize(3);
    }

    private static JsonNode oidc(String refreshToken, String clientId, String clientSecret) {
        return JSON.createObjectNode().put("clientId", clientId).put("clientSecret", clientSecret)
                .put("refreshToken", refreshToken).put("grantType", "refresh_token");
    }

    private HttpResponse<String> post(String url, JsonNode body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
