package dev.tokenproxy.adapter.out.upstream.format.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort.Result;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET {base_url}/models} against a real loopback upstream. */
@Timeout(20)
class OpenAiModelsEndpointTest {

    private final FakeOpenAiUpstream fake = FakeOpenAiUpstream.start();
    private final UpstreamHttpClient http = new UpstreamHttpClient();
    private final OpenAiModelsEndpoint endpoint = new OpenAiModelsEndpoint("openai", http);

    @AfterEach
    void close() {
        http.close();
        fake.close();
    }

    private static Upstream upstream(String baseUrl, String... keys) {
        return Upstream.withApiKeys("main", "openai", URI.create(baseUrl),
                java.util.Arrays.stream(keys).map(Secret::new).toList());
    }

    @Test
    void listsTheIdsTheUpstreamServesWithAGetAuthenticatedByTheFirstKey() {
        fake.modelList("gpt-4o", "o3-mini");

        Result result = endpoint.fetch(upstream(fake.baseUrl(), "sk-first", "sk-second"));

        assertThat(result).isEqualTo(new Result.Listed(List.of("gpt-4o", "o3-mini")));
        var request = fake.requests().getFirst();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.bearerKey()).isEqualTo("sk-first");
        assertThat(request.body()).isEmpty();
    }

    @Test
    void acceptsABaseUrlWithATrailingSlashAndSendsNoKeyForAKeylessUpstream() {
        fake.modelList("local-model");

        Result result = endpoint.fetch(upstream(fake.baseUrl() + "/", " "));

        assertThat(result).isEqualTo(new Result.Listed(List.of("local-model")));
        assertThat(fake.requests().getFirst().headers()).doesNotContainKey("authorization");
    }

    @Test
    void reportsAnErrorStatusWithoutTheKey() {
        fake.modelListReply(Reply.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"));

        Result result = endpoint.fetch(upstream(fake.baseUrl(), "sk-wrong"));

        assertThat(result).isEqualTo(new Result.Failed("status 401"));
        assertThat(result.toString()).doesNotContain("sk-wrong");
    }

    @Test
    void reportsABodyThatIsNotAModelList() {
        fake.modelListReply(Reply.status(200, "<html>login</html>"));

        assertThat(endpoint.fetch(upstream(fake.baseUrl(), "sk-1"))).isInstanceOf(Result.Failed.class);
    }

    @Test
    void skipsEntriesWithoutAnId() {
        fake.modelListReply(Reply.status(200, "{\"object\":\"list\",\"data\":[{\"id\":\"a\"},{\"object\":\"model\"},"
                + "{\"id\":42},{\"id\":\"b\"}]}"));

        assertThat(endpoint.fetch(upstream(fake.baseUrl(), "sk-1"))).isEqualTo(new Result.Listed(List.of("a", "b")));
    }

    @Test
    void reportsAnUnreachableUpstream() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        Result result = endpoint.fetch(upstream("http://127.0.0.1:" + closedPort + "/v1", "sk-1"));

        assertThat(result).isEqualTo(new Result.Failed("connect_refused"));
    }
}
