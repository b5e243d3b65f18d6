package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeKiroUpstreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID = "{\"conversationState\":{\"chatTriggerType\":\"MANUAL\",\"currentMessage\":"
            + "{\"userInputMessage\":{\"content\":\"hi\",\"modelId\":\"claude-sonnet-4.5\",\"origin\":\"AI_EDITOR\"}}}}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final FakeKiroUpstream kiro = FakeKiroUpstream.start();

    @AfterEach
    void close() {
        kiro.close();
        client.close();
    }

    @Test
    void answersEachTokenWithItsScriptThenTheDefault() throws Exception {
        kiro.script("at-a", KiroReply.bearerTokenInvalid()).script("at-b", KiroReply.suspended());

        var a = send("at-a", FakeKiroUpstream.CODEWHISPERER_TARGET, VALID);
        var b = send("at-b", FakeKiroUpstream.CODEWHISPERER_TARGET, VALID);
        var again = send("at-a", FakeKiroUpstream.CODEWHISPERER_TARGET, VALID);

        assertThat(a.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(a.body()).path("message").asText())
                .isEqualTo("The bearer token included in the request is invalid.");
        assertThat(b.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(b.body()).path("reason").asText()).isEqualTo("TEMPORARILY_SUSPENDED");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("content-type")).contains("application/vnd.amazon.eventstream");
        assertThat(kiro.requestsWithToken("at-a")).hasSize(2);
    }

    @Test
    void tellsTheTwoEndpointsApartByTheirTarget() throws Exception {
        kiro.scriptTarget(FakeKiroUpstream.CODEWHISPERER_TARGET, FakeKiroUpstream.ANY, KiroReply.throttled());

        assertThat(send("at-a", FakeKiroUpstream.CODEWHISPERER_TARGET, VALID).statusCode()).isEqualTo(429);
        assertThat(send("at-a", FakeKiroUpstream.AMAZON_Q_TARGET, VALID).statusCode()).isEqualTo(200);
        assertThat(kiro.requests()).extracting(request -> request.header("x-amz-target"))
                .containsExactly(FakeKiroUpstream.CODEWHISPERER_TARGET, FakeKiroUpstream.AMAZON_Q_TARGET);
    }

    @Test
    void checksTheTokenAndTheBodyLikeTheService() throws Exception {
        var noToken = client.send(HttpRequest.newBuilder(URI.create(kiro.baseUrl() + FakeKiroUpstream.PATH))
                .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(), HttpResponse.BodyHandlers.ofString());
        var noConversation = send("at-a", FakeKiroUpstream.CODEWHISPERER_TARGET, "{}");

        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noConversation.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noConversation.body()).path("__type").asText()).endsWith("#ValidationException");
        assertThat(kiro.requests()).hasSize(2);
    }

    private HttpResponse<String> send(String token, String target, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(kiro.baseUrl() + FakeKiroUpstream.PATH))
                .header("Authorization", "Bearer " + token).header("x-amz-target", target)
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
