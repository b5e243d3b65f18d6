package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.bootstrap.Main;
import dev.tokenproxy.testing.CodexReply;
import dev.tokenproxy.testing.FakeCodexBackend;
import dev.tokenproxy.testing.FakeOAuthTokenEndpoint;
import dev.tokenproxy.testing.TestJwt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account store survives a {@code kill -9} of the gateway in the middle of refresh traffic: the file is whole, and
 * every refresh token in it is one the token endpoint still honours — except those whose refresh was on the wire when
 * the process died (the endpoint spent them, the answers never arrived: no client can keep those).
 */
class AccountStoreCrashProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> IDS = List.of("a", "b", "c");

    @TempDir
    Path folder;

    private final FakeCodexBackend codex = FakeCodexBackend.start();
    // Tokens live 10 s, less than the gateway refreshes ahead of expiry: every request refreshes its account.
    private final FakeOAuthTokenEndpoint oauth = FakeOAuthTokenEndpoint.start().expiresIn(Duration.ofSeconds(10));
    private Process process;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        codex.close();
        oauth.close();
    }

    private Path writeStore() throws IOException {
        var accounts = new ArrayList<String>();
        Instant soon = Instant.now().plusSeconds(10);
        for (String id : IDS) {
            oauth.acceptRefreshToken("rt-" + id, "acc-" + id, id + "@example.com");
            accounts.add("""
                    { "id": "%s", "provider": "codex", "status": "active", "access_token": "%s",
                      "refresh_token": "rt-%s", "expires_at": "%s", "chatgpt_account_id": "acc-%s" }"""
                    .formatted(id, TestJwt.chatgpt("acc-" + id, null, "plus", soon), id, soon, id));
        }
        return Files.writeString(folder.resolve("accounts.json"),
                "{ \"accounts\": [" + String.join(",", accounts) + "] }");
    }

    private String launch() throws IOException {
        Path config = Files.writeString(folder.resolve("gateway.yaml"), """
                listen: { host: 127.0.0.1, port: 0 }
                accounts_file: ./accounts.json
                oauth: { codex_token_url: "%s" }
                routing: { account_strategy: round_robin }
                upstreams:
                  - { id: pool, provider: codex, base_url: "%s", accounts: all }
                """.formatted(oauth.tokenUrl(), codex.baseUrl()));
        var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString());
        var builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("TOKEN_PROXY_CONFIG");
        process = builder.start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(line).startsWith("token-proxy listening on ");
        return line.substring("token-proxy listening on ".length());
    }

    @Test
    void aKillDuringRefreshTrafficLeavesAWholeStoreWithRefreshTokensTheEndpointStillHonours() throws Exception {
        Path store = writeStore();
        codex.defaultReply(CodexReply.ok("ok"));
        String baseUrl = launch();
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        var request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                .timeout(WAIT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GatewayUnderTest.chatBody("gpt-5-codex", false))).build();
        var running = new AtomicBoolean(true);

        var clients = Executors.newFixedThreadPool(6);
        try {
            for (int i = 0; i < 6; i++) {
                clients.submit(() -> {
                    while (running.get()) {
                        try {
                            http.send(request, HttpResponse.BodyHandlers.discarding());
                        } catch (IOException e) {
                            // the gateway is being killed: expected
                        }
                    }
                    return null;
                });
            }
            // Plenty of refreshes (and store rewrites) first; then answers are held, so the refreshes that arrive
            // from now on are spent at the endpoint but never answered: the ones on the wire when the process dies.
            // The endpoint says which it held: counting requests from the moment of the hold raced with a request
            // routed in between, whose spent token then counted as lost (one CI run in many).
            assertThat(oauth.awaitRequests(40, WAIT)).isTrue();
            oauth.holdRefreshes();
            assertThat(eventually(() -> !oauth.heldRefreshTokens().isEmpty())).isTrue();
            // An answer sent just before the hold may still be on its way to the disk: an answer the gateway
            // received must be stored before we judge (from outside there is no event to wait on).
            assertThat(eventually(() -> lostTokens(store, oauth.heldRefreshTokens()) == 0)).isTrue();
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            running.set(false);
            process.destroyForcibly();
            clients.shutdownNow();
        }

        assertThat(FileAccountStore.open(store).accounts()).extracting(StoredAccount::id).containsExactlyElementsOf(IDS);
        // The store no longer changes; a refresh the gateway sent as it died may still be routed (and held) after the
        // kill, so the set of tokens on the wire can grow a little: judge once it has settled, or give up and fail.
        assertThat(eventually(() -> lostTokens(store, oauth.heldRefreshTokens()) == 0))
                .as("refresh tokens neither honoured nor on the wire").isTrue();
    }

    /**
     * How many accounts of the store hold a refresh token the endpoint no longer honours, other than those
     * {@code onWire} (spent by a refresh whose answer never arrived). Reading the store also proves it is whole.
     */
    private long lostTokens(Path store, Set<String> onWire) {
        return FileAccountStore.open(store).accounts().stream()
                .map(account -> account.refreshToken().orElseThrow().reveal())
                .filter(stored -> !onWire.contains(stored))
                .filter(stored -> IDS.stream().noneMatch(id -> oauth.liveRefreshToken("acc-" + id)
                        .map(stored::equals).orElse(false)))
                .count();
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition) {
        long giveUp = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }
}
