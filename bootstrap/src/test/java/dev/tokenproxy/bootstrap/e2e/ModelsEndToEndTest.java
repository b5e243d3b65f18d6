package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.models.Model;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/models} through the running gateway with the official OpenAI SDK: configured names, mapping targets
 * and what upstreams that accept every model serve, never a glob, and upstream listings cached.
 */
class ModelsEndToEndTest {

    private static final String KEY_OPEN = "sk-upstream-open-secret-0001";
    private static final String KEY_BROKEN = "sk-upstream-broken-secret-0002";

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream open = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream broken = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream strict = FakeOpenAiUpstream.start();
    private LogCapture logs;
    private GatewayUnderTest gateway;

    @BeforeEach
    void startEverything() {
        logs = new LogCapture();
        open.modelList("gpt-4o", "o3");
        broken.modelListReply(Reply.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"));
        strict.modelList("never-asked");
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                upstreams:
                  - { id: open, provider: openai, base_url: "%s", api_keys: ["${KEY_OPEN}"] }
                  - { id: broken, provider: openai_responses, base_url: "%s", api_keys: ["${KEY_BROKEN}"] }
                  - { id: strict, provider: openai, base_url: "%s", api_keys: ["${KEY_OPEN}"],
                      models: [cheap, "claude-*"], model_mappings: { "cheap": "llama-3.1-70b" } }
                """.formatted(open.baseUrl(), broken.baseUrl(), strict.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of("KEY_OPEN", KEY_OPEN, "KEY_BROKEN", KEY_BROKEN));
    }

    @AfterEach
    void stopEverythingAndCheckNoUpstreamKeyWasLogged() {
        gateway.close();
        open.close();
        broken.close();
        strict.close();
        logs.close();
        assertThat(logs.all()).doesNotContain(KEY_OPEN).doesNotContain(KEY_BROKEN);
    }

    private List<String> listedIds() {
        return gateway.sdk().models().list().data().stream().map(Model::id).toList();
    }

    @Test
    void listsConfiguredNamesAndWhatAcceptEveryModelUpstreamsServeButNoGlob() {
        assertThat(listedIds()).containsExactly("cheap", "gpt-4o", "o3");

        assertThat(open.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.path()).isEqualTo("/v1/models");
            assertThat(request.bearerKey()).isEqualTo(KEY_OPEN);
        });
        assertThat(strict.modelListRequests()).as("an allow-list is the whole truth").isZero();
    }

    @Test
    void aSecondListingAsksNoUpstreamAndAFailingListingIsLoggedOnce() {
        listedIds();
        assertThat(listedIds()).containsExactly("cheap", "gpt-4o", "o3");

        assertThat(open.modelListRequests()).isEqualTo(1);
        assertThat(broken.modelListRequests()).isEqualTo(1);
        assertThat(logs.all()).containsOnlyOnce("upstream broken did not list its models (status 401)");
    }

    @Test
    void aCompletionNeverFetchesAModelList() {
        var response = gateway.chat("gpt-4o", false);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(open.modelListRequests()).isZero();
        assertThat(broken.modelListRequests()).isZero();
    }
}
