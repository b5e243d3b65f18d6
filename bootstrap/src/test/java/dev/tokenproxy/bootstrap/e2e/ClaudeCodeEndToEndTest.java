package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tokenproxy.testing.AnthropicReply;
import dev.tokenproxy.testing.FakeAnthropicUpstream;
import dev.tokenproxy.testing.FakeKiroRefreshEndpoint;
import dev.tokenproxy.testing.FakeKiroUpstream;
import dev.tokenproxy.testing.KiroReply;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code ({@code @anthropic-ai/claude-code}, pinned by {@code .ci/install-claude}; protocols.md §7)
 * talking to the running gateway: {@code claude -p} with {@code ANTHROPIC_BASE_URL} at the gateway and the local key
 * as {@code ANTHROPIC_API_KEY}, served by fake {@code anthropic} upstreams and by a fake Kiro account pool.
 *
 * <p>The binary is {@code $TOKEN_PROXY_CLAUDE}, which {@code .ci/run} sets, or else the one in the install script's
 * cache; without either the tests are skipped, saying how to install it.
 */
class ClaudeCodeEndToEndTest {

    private static final String CLAUDE_VERSION = "2.1.328";
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path folder;

    private final FakeAnthropicUpstream first = FakeAnthropicUpstream.start();
    private final FakeAnthropicUpstream second = FakeAnthropicUpstream.start();
    private GatewayUnderTest gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        first.close();
        second.close();
    }

    private void startGateway() {
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                timeouts: { connect_seconds: 2, first_output_seconds: 10, idle_seconds: 10 }
                upstreams:
                  - { id: first, provider: anthropic, base_url: "%s", api_keys: ["k-first"], priority: 10 }
                  - { id: second, provider: anthropic, base_url: "%s", api_keys: ["k-second"] }
                """.formatted(first.baseUrl(), second.baseUrl()), Map.of());
    }

    @Test
    void claudeCodePrintsTheAnswerOfTheSecondUpstreamWhenTheFirstIsOverloaded() throws Exception {
        first.defaultReply(AnthropicReply.overloaded());
        second.defaultReply(AnthropicReply.ok("Hello from the gateway fake"));
        startGateway();

        var run = claudePrint("Say hello");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("Hello from the gateway fake");
        var sent = second.requests().stream().filter(r -> r.path().startsWith("/v1/messages")).toList();
        assertThat(sent).isNotEmpty();
        var turn = sent.getLast();
        assertThat(turn.header("anthropic-version")).as("the client's own version passed on").isNotBlank();
        assertThat(turn.header("x-api-key")).as("the upstream's key, never the local one").isEqualTo("k-second");
        assertThat(turn.json().path("stream").asBoolean()).isTrue();
        assertThat(turn.json().has("system")).isTrue();
        assertThat(first.requests()).as("the overloaded upstream was asked first").isNotEmpty();
    }

    @Test
    void claudeCodeIsServedByAKiroPoolWhoseFirstAccountFails() throws Exception {
        try (var kiro = FakeKiroUpstream.start(); var refresh = FakeKiroRefreshEndpoint.start()) {
            String arnA = "arn:aws:codewhisperer:us-east-1:111111111111:profile/A";
            String arnB = "arn:aws:codewhisperer:us-east-1:222222222222:profile/B";
            Files.writeString(folder.resolve("accounts.json"), "{ \"accounts\": [" + kiroAccount("a", arnA) + ","
                    + kiroAccount("b", arnB) + "] }");
            refresh.acceptSocialRefreshToken("kiro-rt-a", arnA).acceptSocialRefreshToken("kiro-rt-b", arnB);
            kiro.script("kiro-at-a", KiroReply.suspended());
            kiro.defaultReply(KiroReply.ok("Hello from Kiro account b"));
            gateway = GatewayUnderTest.start(folder, """
                    listen: { host: 127.0.0.1, port: 0 }
                    local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                    accounts_file: ./accounts.json
                    oauth: { kiro_refresh_url: "%s" }
                    timeouts: { connect_seconds: 2, first_output_seconds: 10, idle_seconds: 10 }
                    upstreams:
                      - { id: kiro-pool, provider: kiro, base_url: "%s", accounts: all, priority: 10 }
                      - { id: second, provider: anthropic, base_url: "%s", api_keys: ["k-second"] }
                    """.formatted(refresh.socialUrl(), kiro.baseUrl(), second.baseUrl()), Map.of());

            var run = claudePrint("Say hello");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("Hello from Kiro account b");
            assertThat(second.requests()).as("the pool served: the next upstream was not needed").isEmpty();
            var turn = kiro.requests().getLast();
            assertThat(turn.bearerKey()).isEqualTo("kiro-at-b");
            assertThat(turn.body()).as("Claude Code's system prompt reached Kiro inside the first user turn")
                    .contains("Claude");
        }
    }

    private static String kiroAccount(String id, String profileArn) {
        return """
                { "id": "%s", "provider": "kiro", "status": "active", "access_token": "kiro-at-%s",
                  "refresh_token": "kiro-rt-%s", "expires_at": "%s", "profile_arn": "%s" }"""
                .formatted(id, id, id, java.time.Instant.now().plusSeconds(3600), profileArn);
    }

    /** What one {@code claude -p} left: its exit code and its stdout and stderr, interleaved. */
    private record CliRun(int exitCode, String output) {
    }

    /** {@code claude -p prompt} with a scratch HOME, pointed at the gateway, nothing else from this environment. */
    private CliRun claudePrint(String prompt) throws IOException, InterruptedException {
        Path claude = claudeBinary();
        Path home = Files.createDirectories(folder.resolve("home"));
        Path workdir = Files.createDirectories(folder.resolve("work"));
        Path output = folder.resolve("claude-output.txt");
        var builder = new ProcessBuilder(claude.toString(), "-p", prompt)
                .directory(workdir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", gateway.baseUrl());
        env.put("ANTHROPIC_API_KEY", GatewayUnderTest.LOCAL_KEY);
        env.put("DISABLE_TELEMETRY", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("NO_PROXY", "127.0.0.1,localhost");
        Process process = builder.start();
        try {
            boolean exited = process.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(exited).as("claude -p still running after %s; it printed:%n%s", CLI_TIMEOUT, printed).isTrue();
            return new CliRun(process.exitValue(), printed);
        } finally {
            process.destroyForcibly();
        }
    }

    /** {@code $TOKEN_PROXY_CLAUDE} when set (and then it must be there), else the install script's cache. */
    private static Path claudeBinary() {
        String configured = System.getenv("TOKEN_PROXY_CLAUDE");
        if (configured != null && !configured.isBlank()) {
            Path binary = Path.of(configured);
            assertThat(Files.isExecutable(binary)).as("TOKEN_PROXY_CLAUDE=%s is not an executable", binary).isTrue();
            return binary;
        }
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path cache = cacheHome != null && !cacheHome.isBlank()
                ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache");
        Path binary = cache.resolve("token-proxy/claude-" + CLAUDE_VERSION + "/node_modules/.bin/claude");
        assumeThat(Files.isExecutable(binary))
                .as("Claude Code %s is not installed: run `bash .ci/install-claude` (needs npm) and set "
                        + "TOKEN_PROXY_CLAUDE to the path it prints; .ci/run does both", CLAUDE_VERSION)
                .isTrue();
        return binary;
    }
}
