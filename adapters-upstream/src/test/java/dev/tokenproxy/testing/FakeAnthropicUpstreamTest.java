package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake Anthropic upstream speaks the Messages wire format of protocols.md §5, scripted per key. */
class FakeAnthropicUpstreamTest {

    private final FakeAnthropicUpstream fake = FakeAnthropicUpstream.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        fake.close();
        http.close();
    }

    private HttpResponse<String> post(String key, boolean stream) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/messages?beta=true"))
                .header("x-api-key", key).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-x\",\"max_tokens\":9,\"stream\":"
                        + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersEachKeyFromItsOwnScriptAndRecordsEveryCall() throws Exception {
        fake.script(FakeAnthropicUpstream.ANY, "k1", AnthropicReply.overloaded());

        var first = post("k1", false);
        var second = post("k2", false);

        assertThat(first.statusCode()).isEqualTo(529);
        assertThat(first.body()).contains("\"type\":\"overloaded_error\"");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("\"type\":\"message\"", "\"stop_reason\":\"end_turn\"");
        assertThat(fake.requestsWithKey("k1")).hasSize(1);
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void streamsTheEventsOfAMessageInOrderWithAPing() throws Exception {
        fake.defaultReply(AnthropicReply.toolUse("toolu_1", "f", "{\"a\":1}"));

        String body = post("k", true).body();

        assertThat(body).containsSubsequence("event: message_start", "event: ping", "event: content_block_start",
                "\"partial_json\":\"\"", "input_json_delta", "event: content_block_stop", "event: message_delta",
                "\"stop_reason\":\"tool_use\"", "event: message_stop");
    }

    @Test
    void aRateLimitCarriesItsRetryAfter() throws Exception {
        fake.defaultReply(AnthropicReply.rateLimited(4));

        var response = post("k", false);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("4");
    }

    @Test
    void anErrorEventEndsAStreamBeforeAnyBlock() throws Exception {
        fake.defaultReply(AnthropicReply.overloadedEvent());

        String body = post("k", true).body();

        assertThat(body).contains("event: error").doesNotContain("content_block_start");
    }

    @Test
    void aMessageWithoutContentHasAnEmptyContentArray() throws Exception {
        fake.defaultReply(AnthropicReply.noContent());

        assertThat(post("k", false).body()).contains("\"content\":[]");
    }
}
