package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.FakeResponsesUpstream;
import dev.tokenproxy.testing.ResponsesReply;
import dev.tokenproxy.testing.RecordedRequest;
import dev.tokenproxy.testing.Reply;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Codex CLI ({@code @openai/codex}, pinned by {@code .ci/install-codex}; protocols.md §7) talking to the
 * running gateway over the Responses wire API, served natively by fake Responses upstreams and by fake Chat
 * Completions upstreams through conversion.
 *
 * <p>The binary is {@code $TOKEN_PROXY_CODEX}, which {@code .ci/run} sets, or else the one in the install script's
 * cache; without either the tests that run the CLI are skipped, saying how to install it. The request-shape test
 * needs no CLI and always runs.
 */
class CodexCliEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CODEX_VERSION = "0.169.0";
    /** The CLI starts in well under a second offline; the rest is its turn against the gateway. */
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(90);
    private static final String ANSWER = "Hello from the gateway fake";
    /**
     * What the CLI's {@code tokens used} must show: the fake's usage (5 prompt tokens, one completion token per word;
     * {@code ChatFrames}) converted to Responses usage, whose total is their sum.
     */
    private static final int TOTAL_TOKENS = 5 + ANSWER.split(" ").length;

    @TempDir
    Path folder;

    private final FakeOpenAiUpstream a = FakeOpenAiUpstream.start();
    private final FakeOpenAiUpstream b = FakeOpenAiUpstream.start();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        a.close();
        b.close();
    }

    private void startGateway() {
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 10, idle_seconds: 10 }
                upstreams:
                  - { id: a, provider: openai, base_url: "%s", api_keys: ["ka"] }
                  - { id: b, provider: openai, base_url: "%s", api_keys: ["kb"] }
                """.formatted(a.baseUrl(), b.baseUrl());
        gateway = GatewayUnderTest.start(folder, yaml, Map.of());
    }

    @Test
    void codexExecFailsOverInvisiblyFromOneResponsesUpstreamToAnotherThatServesItNatively() throws Exception {
        try (var responses = FakeResponsesUpstream.start(); var failing = FakeResponsesUpstream.start()) {
            responses.defaultReply(ResponsesReply.ok(ANSWER).withUsage(new ResponsesReply.Usage(1200, 1000, 7, 3)));
            failing.defaultReply(ResponsesReply.errorEvent("server_error", "The server had an error."));
            String yaml = """
                    listen: { host: 127.0.0.1, port: 0 }
                    local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                    timeouts: { connect_seconds: 2, first_output_seconds: 10, idle_seconds: 10 }
                    routing: { same_upstream_retries: 0 }
                    upstreams:
                      - { id: broken, provider: openai_responses, base_url: "%s", api_keys: ["kx"] }
                      - { id: r, provider: openai_responses, base_url: "%s", api_keys: ["kr"] }
                    """.formatted(failing.baseUrl(), responses.baseUrl());
            gateway = GatewayUnderTest.start(folder, yaml, Map.of());

            CliRun run = codexExec("Say hello");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains(ANSWER).doesNotContainIgnoringCase("error");
            // The CLI counts input not served from cache plus output: (1200 - 1000) + 7, so the cached tokens arrived.
            assertThat(run.output()).as("the token count the CLI prints")
                    .containsPattern("(?m)^tokens used\\s+207\\s*$");
            assertThat(failing.requests()).hasSize(1);
            // Served natively: the CLI's request arrives with its own tools and items, namespace and all.
            JsonNode sent = responses.requests().getFirst().json();
            assertThat(sent.path("stream").asBoolean()).isTrue();
            assertThat(elements(sent.path("tools"))).extracting(t -> t.path("type").asText())
                    .contains("function", "namespace", "web_search");
            assertThat(elements(sent.path("input")).getLast().at("/content/0/text").asText()).isEqualTo("Say hello");
        }
    }

    @Test
    void codexExecPrintsTheChatUpstreamsAnswerAndItsTokenCount() throws Exception {
        a.defaultReply(Reply.ok(ANSWER));
        startGateway();

        CliRun run = codexExec("Say hello");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(ANSWER);
        assertThat(run.output()).as("the token count the CLI prints")
                .containsPattern("(?m)^tokens used\\s+" + TOTAL_TOKENS + "\\s*$");
        assertThat(b.requests()).isEmpty();

        RecordedRequest sent = a.requests().getFirst();
        assertThat(sent.pathWithoutQuery()).isEqualTo("/v1/chat/completions");
        assertThat(sent.bearerKey()).isEqualTo("ka");
        JsonNode chat = sent.json();
        assertThat(chat.path("stream").asBoolean()).isTrue();
        assertThat(chat.path("stream_options").path("include_usage").asBoolean()).isTrue();
        List<JsonNode> messages = elements(chat.path("messages"));
        // The CLI's developer items (its base prompt) become system messages; the prompt is the last user message.
        assertThat(messages.getFirst().path("role").asText()).isEqualTo("system");
        assertThat(messages.getFirst().path("content").asText()).contains("Codex CLI");
        assertThat(messages.getLast().path("role").asText()).isEqualTo("user");
        assertThat(messages.getLast().path("content").asText()).isEqualTo("Say hello");
        assertThat(messages).extracting(m -> m.path("role").asText()).containsOnly("system", "user");
        // Its flat function tools arrive in Chat's nested form; its hosted and namespace tools have no Chat form.
        List<JsonNode> tools = elements(chat.path("tools"));
        assertThat(tools).isNotEmpty().allSatisfy(tool -> {
            assertThat(tool.path("type").asText()).isEqualTo("function");
            assertThat(tool.path("function").path("name").asText()).isNotEmpty();
            assertThat(tool.path("function").path("parameters").isObject()).isTrue();
            assertThat(tool.has("name")).isFalse();
        });
        assertThat(tools).extracting(tool -> tool.path("function").path("name").asText()).contains("exec_command");
    }

    /** The first upstream's failures that end an attempt before any output: the gateway may still fail over. */
    static Stream<Arguments> failuresBeforeOutput() {
        return Stream.of(
                Arguments.of(Named.of("an error event before output", Reply.errorEventBeforeOutput())),
                Arguments.of(Named.of("a reset before headers", Reply.resetBeforeHeaders())));
    }

    @ParameterizedTest
    @MethodSource("failuresBeforeOutput")
    void aFailoverBeforeOutputStaysInvisibleToTheCli(Reply failure) throws Exception {
        a.defaultReply(failure);
        b.defaultReply(Reply.ok("Hello from the second upstream"));
        startGateway();

        CliRun run = codexExec("Say hello");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("Hello from the second upstream");
        assertThat(run.output()).doesNotContainIgnoringCase("error").doesNotContain("overloaded")
                .doesNotContain("Reconnecting");
        assertThat(a.requests()).isNotEmpty();
        assertThat(b.requests()).hasSize(1);
    }

    /**
     * The body the CLI sends (captured from 0.169.0, texts shortened), plus the {@code instructions} that other Codex
     * versions send instead of a first developer item.
     */
    private static final String CODEX_SHAPED_REQUEST = """
            {"model":"gpt-5-codex","stream":true,"store":false,
             "instructions":"You are a coding agent running in the Codex CLI.",
             "input":[
              {"type":"message","id":"msg_1","role":"developer","content":[
                {"type":"input_text","text":"<permissions instructions>sandbox: read-only</permissions instructions>"},
                {"type":"input_text","text":"<collaboration_mode>default</collaboration_mode>"}]},
              {"type":"message","id":"msg_2","role":"user","content":[
                {"type":"input_text","text":"<environment_context><cwd>/work</cwd></environment_context>"}]},
              {"type":"message","id":"msg_3","role":"user","content":[{"type":"input_text","text":"Say hello"}]}],
             "tools":[
              {"type":"function","name":"exec_command","description":"Runs a command in a PTY.","strict":false,
               "parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"],
                             "additionalProperties":false}},
              {"type":"namespace","name":"multi_agent_v1","description":"Tools for sub-agents.","tools":[
                {"type":"function","name":"close_agent","strict":false,
                 "parameters":{"type":"object","properties":{"target":{"type":"string"}}}}]},
              {"type":"web_search","external_web_access":false}],
             "tool_choice":"auto","parallel_tool_calls":true,"reasoning":{"summary":"auto"},
             "include":["reasoning.encrypted_content"],"prompt_cache_key":"01a236a6-a03e-7d32-95d4-898ee79d99a8",
             "client_metadata":{"x-codex-turn-metadata":"{\\"turn_trigger\\":\\"exec\\"}"}}
            """;

    @Test
    void aCodexShapedRequestWithInstructionsStreamsThroughUnchangedInMeaning() throws Exception {
        a.defaultReply(Reply.ok(ANSWER));
        startGateway();

        var response = gateway.post("/v1/responses", CODEX_SHAPED_REQUEST, GatewayUnderTest.LOCAL_KEY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> events = sseData(response.body());
        assertThat(events).extracting(e -> e.path("type").asText())
                .startsWith("response.created").endsWith("response.completed");
        assertThat(events.stream().filter(e -> "response.output_text.delta".equals(e.path("type").asText()))
                .map(e -> e.path("delta").asText()).reduce("", String::concat)).isEqualTo(ANSWER);
        assertThat(events.getLast().path("response").path("usage").path("total_tokens").asInt())
                .isEqualTo(TOTAL_TOKENS);

        JsonNode chat = a.requests().getFirst().json();
        assertThat(chat.path("model").asText()).isEqualTo("gpt-5-codex");
        assertThat(chat.path("stream").asBoolean()).isTrue();
        assertThat(chat.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(elements(chat.path("messages"))).extracting(m -> m.path("role").asText() + ": "
                + m.path("content").asText()).containsExactly(
                "system: You are a coding agent running in the Codex CLI.",
                "system: <permissions instructions>sandbox: read-only</permissions instructions>\n"
                        + "<collaboration_mode>default</collaboration_mode>",
                "user: <environment_context><cwd>/work</cwd></environment_context>",
                "user: Say hello");
        // The function tool keeps its name, description, schema and strictness in Chat's nested form; the namespace
        // and the hosted web search have no Chat form and are left out.
        assertThat(chat.path("tools")).isEqualTo(JSON.readTree("""
                [{"type":"function","function":{"name":"exec_command","description":"Runs a command in a PTY.",
                  "parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"],
                                "additionalProperties":false},
                  "strict":false}}]
                """));
        assertThat(chat.path("tool_choice").asText()).isEqualTo("auto");
        assertThat(chat.path("parallel_tool_calls").asBoolean()).isTrue();
        // Responses-only fields a Chat upstream would refuse or misread; a summary without an effort asks for none.
        assertThat(chat.has("store")).isFalse();
        assertThat(chat.has("include")).isFalse();
        assertThat(chat.has("prompt_cache_key")).isFalse();
        assertThat(chat.has("client_metadata")).isFalse();
        assertThat(chat.has("reasoning")).isFalse();
        assertThat(chat.has("reasoning_effort")).isFalse();
    }

    /** The JSON of every {@code data:} line of an event stream, in order. */
    private static List<JsonNode> sseData(String body) {
        return body.lines().filter(line -> line.startsWith("data:"))
                .map(line -> line.substring("data:".length()).strip())
                .map(data -> {
                    try {
                        return JSON.readTree(data);
                    } catch (IOException e) {
                        throw new AssertionError("not JSON: " + data, e);
                    }
                }).toList();
    }

    // --- running the CLI ----------------------------------------------------------------------------------------

    /** What one {@code codex exec} left: its exit code and its stdout and stderr, interleaved. */
    private record CliRun(int exitCode, String output) {
    }

    /**
     * {@code codex exec --skip-git-repo-check prompt} with a scratch HOME whose {@code .codex/config.toml} points at
     * the gateway, the local key in {@code TP_KEY}, and nothing else from this environment (no proxies, no keys).
     */
    private CliRun codexExec(String prompt) throws IOException, InterruptedException {
        Path codex = codexBinary();
        Path home = Files.createDirectories(folder.resolve("home"));
        Files.createDirectories(home.resolve(".codex"));
        Files.writeString(home.resolve(".codex/config.toml"), """
                model = "gpt-5-codex"
                model_provider = "tp"

                [model_providers.tp]
                name = "token-proxy"
                base_url = "%s/v1"
                env_key = "TP_KEY"
                wire_api = "responses"
                """.formatted(gateway.baseUrl()));
        Path workdir = Files.createDirectories(folder.resolve("work"));
        Path output = folder.resolve("codex-output.txt");

        var builder = new ProcessBuilder(codex.toString(), "exec", "--skip-git-repo-check", prompt)
                .directory(workdir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                // Otherwise exec waits for more prompt on stdin ("Reading additional input from stdin...").
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("TP_KEY", GatewayUnderTest.LOCAL_KEY);
        env.put("NO_PROXY", "127.0.0.1,localhost");

        Process process = builder.start();
        try {
            boolean exited = process.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(exited).as("codex exec still running after %s; it printed:%n%s", CLI_TIMEOUT, printed)
                    .isTrue();
            return new CliRun(process.exitValue(), printed);
        } finally {
            process.destroyForcibly();
        }
    }

    /** {@code $TOKEN_PROXY_CODEX} when set (and then it must be there), else the install script's cache. */
    private static Path codexBinary() {
        String configured = System.getenv("TOKEN_PROXY_CODEX");
        if (configured != null && !configured.isBlank()) {
            Path binary = Path.of(configured);
            assertThat(Files.isExecutable(binary)).as("TOKEN_PROXY_CODEX=%s is not an executable", binary).isTrue();
            return binary;
        }
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path cache = cacheHome != null && !cacheHome.isBlank()
                ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache");
        Path binary = cache.resolve("token-proxy/codex-" + CODEX_VERSION + "/node_modules/.bin/codex");
        assumeThat(Files.isExecutable(binary))
                .as("the Codex CLI %s is not installed: run `bash .ci/install-codex` (needs npm) and set "
                        + "TOKEN_PROXY_CODEX to the path it prints; .ci/run does both", CODEX_VERSION)
                .isTrue();
        return binary;
    }

    private static List<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }
}
