package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tokenproxy.testing.CodexReply;
import dev.tokenproxy.testing.FakeCodexBackend;
import dev.tokenproxy.testing.FakeOAuthTokenEndpoint;
import dev.tokenproxy.testing.FakeOpenAiUpstream;
import dev.tokenproxy.testing.Reply;
import dev.tokenproxy.testing.TestJwt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of Codex accounts behind the running gateway, called with the official OpenAI SDK: whether to try the next
 * account is decided from each attempt's final outcome — after the Codex stream was converted and checked — and
 * tokens are refreshed at a fake OAuth endpoint, the rotated ones landing in the account store file.
 */
class CodexAccountsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gpt-5-codex";

    @TempDir
    Path folder;

    private final FakeCodexBackend codex = FakeCodexBackend.start();
    private final FakeOAuthTokenEndpoint oauth = FakeOAuthTokenEndpoint.start();
    private final FakeOpenAiUpstream openai = FakeOpenAiUpstream.start();
    private GatewayUnderTest gateway;
    private final String tokenA = TestJwt.chatgpt("acc-a", "a@example.com", "plus", Instant.now().plusSeconds(3600));
    private final String tokenB = TestJwt.chatgpt("acc-b", "b@example.com", "plus", Instant.now().plusSeconds(3600));

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        codex.close();
        oauth.close();
        openai.close();
    }

    // ---- harness ---------------------------------------------------------------------------------------------

    private static String account(String id, String accessToken, String refreshToken, Instant expiresAt) {
        return """
                { "id": "%s", "provider": "codex", "status": "active", "access_token": "%s",
                  "refresh_token": "%s", "expires_at": "%s", "chatgpt_account_id": "acc-%s" }"""
                .formatted(id, accessToken, refreshToken, expiresAt, id);
    }

    private void storeAccounts(String... accounts) {
        write("accounts.json", "{ \"accounts\": [" + String.join(",", accounts) + "] }");
    }

    /** Accounts a and b, valid for an hour, refresh tokens known to the OAuth fake. */
    private void storeAandB() {
        Instant hour = Instant.now().plusSeconds(3600);
        storeAccounts(account("a", tokenA, "rt-a", hour), account("b", tokenB, "rt-b", hour));
        oauth.acceptRefreshToken("rt-a", "acc-a", "a@example.com").acceptRefreshToken("rt-b", "acc-b", "b@example.com");
    }

    private void write(String name, String text) {
        try {
            Files.writeString(folder.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway with {@code upstreams} (YAML list items) and the fakes' URLs filled in. */
    private void startGateway(String upstreams) {
        gateway = GatewayUnderTest.start(folder, """
                listen: { host: 127.0.0.1, port: 0 }
                local_api_keys: [ { name: tests, key: "${TP_KEY}" } ]
                accounts_file: ./accounts.json
                oauth: { codex_token_url: "%s" }
                timeouts: { connect_seconds: 2, first_output_seconds: 5, idle_seconds: 5 }
                upstreams:
                """.formatted(oauth.tokenUrl()) + upstreams.replace("CODEX", codex.baseUrl())
                .replace("OPENAI", openai.baseUrl()).indent(2), Map.of());
    }

    private void startPoolWithBackup() {
        startGateway("""
                - { id: pool, provider: codex, base_url: "CODEX", accounts: all, priority: 10 }
                - { id: backup, provider: openai, base_url: "OPENAI", api_keys: ["k-backup"] }
                """);
    }

    private static ChatCompletionCreateParams chatParams() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Say hello").build();
    }

    private static ResponseCreateParams params() {
        return ResponseCreateParams.builder().model(MODEL).instructions("Answer briefly.").input("Say hello").build();
    }

    private String chat() {
        ChatCompletion completion = gateway.sdk().chat().completions().create(chatParams());
        return completion.choices().getFirst().message().content().orElse("");
    }

    private String streamedChat() {
        StringBuilder content = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
                     gateway.sdk().chat().completions().createStreaming(chatParams())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(content::append)));
        }
        return content.toString();
    }

    private static String text(Response response) {
        return response.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream())
                .filter(content -> content.isOutputText())
                .map(content -> content.asOutputText().text())
                .collect(Collectors.joining());
    }

    private List<ResponseStreamEvent> streamedResponse() {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = gateway.sdk().responses().createStreaming(params())) {
            stream.stream().forEach(events::add);
        }
        return events;
    }

    private static String deltas(List<ResponseStreamEvent> events) {
        return events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
    }

    private JsonNode storedAccount(String id) {
        try {
            for (JsonNode account : JSON.readTree(folder.resolve("accounts.json").toFile()).path("accounts")) {
                if (id.equals(account.path("id").asText())) {
                    return account;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no account " + id + " in the store");
    }

    // ---- the motivating bug: a 200 that turns out empty ------------------------------------------------------

    @Test
    void aChatAnswerThatConvertsToAnEmptyCompletionIsReplacedByTheNextAccountsAnswer() {
        storeAandB();
        codex.script(tokenA, CodexReply.emptyOutput(), CodexReply.emptyOutput());
        codex.script(tokenB, CodexReply.ok("Hello from account b"), CodexReply.ok("Streamed from b"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("Hello from account b");
        assertThat(streamedChat()).isEqualTo("Streamed from b");
        assertThat(codex.requestsWithToken(tokenA)).hasSize(2);
        assertThat(openai.requests()).isEmpty();
    }

    @Test
    void aResponsesCallIsServedNativelyWithTheCodexBodyRulesAndTheAccountsId() {
        storeAandB();
        codex.defaultReply(CodexReply.ok("Native answer"));
        startPoolWithBackup();

        Response response = gateway.sdk().responses().create(params());

        assertThat(text(response)).isEqualTo("Native answer");
        var sent = codex.requests().getFirst();
        assertThat(sent.bearerKey()).isEqualTo(tokenA);
        assertThat(sent.header("chatgpt-account-id")).contains("acc-a");
        assertThat(sent.json().path("stream").asBoolean()).as("Codex only streams").isTrue();
        assertThat(sent.json().path("store").asBoolean(true)).isFalse();
    }

    @Test
    void aNonRetryable4xxOfTheFirstAccountLetsTheNextAccountAnswer() {
        storeAandB();
        codex.script(tokenA, CodexReply.detail(404, "Not found for this account"));
        codex.script(tokenB, CodexReply.ok("b answers"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("b answers");
    }

    // ---- usage limits ----------------------------------------------------------------------------------------

    @Test
    void aUsageLimitSendsTheRequestToTheNextAccountAndLaterRequestsSkipTheSpentOneUntilItsReset() {
        storeAandB();
        Instant reset = Instant.now().plusSeconds(3600);
        codex.script(tokenA, CodexReply.usageLimitReached("plus", reset, Duration.ofSeconds(3600)));
        codex.defaultReply(CodexReply.ok("b again"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("b again");
        assertThat(chat()).isEqualTo("b again");
        assertThat(streamedChat()).isEqualTo("b again");

        assertThat(codex.requestsWithToken(tokenA)).as("a is cooling until its reset").hasSize(1);
        assertThat(codex.requestsWithToken(tokenB)).hasSize(3);
    }

    // ---- token refresh ---------------------------------------------------------------------------------------

    @Test
    void a401IsCuredByOneRefreshAndTheStoreFileHoldsTheRotatedTokens() {
        storeAandB();
        codex.script(tokenA, CodexReply.tokenExpired());
        codex.defaultReply(CodexReply.ok("a after refresh"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("a after refresh");

        assertThat(oauth.tokenRequests()).hasSize(1);
        String newAccess = oauth.issuedAccessTokens().getFirst();
        assertThat(codex.requests()).extracting(r -> r.bearerKey()).containsExactly(tokenA, newAccess);
        assertThat(codex.requestsWithToken(tokenB)).as("a was cured, b never needed").isEmpty();
        var stored = storedAccount("a");
        assertThat(stored.path("access_token").asText()).isEqualTo(newAccess);
        assertThat(stored.path("refresh_token").asText()).isNotEqualTo("rt-a")
                .isEqualTo(oauth.liveRefreshToken("acc-a").orElseThrow());
    }

    @Test
    void aRefusedRefreshSkipsThePoolMarksTheAccountAndThePlainUpstreamAnswers() {
        Instant hour = Instant.now().plusSeconds(3600);
        storeAccounts(account("a", tokenA, "rt-dead", hour));
        oauth.failNext(400, "{\"error\":{\"code\":\"refresh_token_reused\",\"message\":\"Already used.\"}}");
        codex.script(tokenA, CodexReply.tokenExpired());
        openai.defaultReply(Reply.ok("backup answers"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("backup answers");
        assertThat(storedAccount("a").path("status").asText()).isEqualTo("needs_login");

        assertThat(chat()).isEqualTo("backup answers");
        assertThat(codex.requests()).as("an account that needs a login is not tried again").hasSize(1);
    }

    @Test
    void twentyConcurrentRequestsOnAnExpiringAccountCauseExactlyOneRefresh() throws Exception {
        String expiring = TestJwt.chatgpt("acc-a", "a@example.com", "plus", Instant.now().plusSeconds(60));
        storeAccounts(account("a", expiring, "rt-a", Instant.now().plusSeconds(60)));
        oauth.acceptRefreshToken("rt-a", "acc-a", "a@example.com");
        var hold = oauth.holdRefreshes();
        codex.defaultReply(CodexReply.ok("fresh"));
        startGateway("""
                - { id: pool, provider: codex, base_url: "CODEX", accounts: all }
                """);

        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(20)) {
            for (int i = 0; i < 20; i++) {
                answers.add(clients.submit((Callable<String>) this::chat));
            }
            assertThat(oauth.awaitRequests(1, Duration.ofSeconds(10))).isTrue();
            hold.release();
            for (var answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("fresh");
            }
        }

        assertThat(oauth.tokenRequests()).hasSize(1);
        assertThat(codex.requestsWithToken(expiring)).as("nobody used the token about to expire").isEmpty();
        assertThat(codex.requests()).hasSize(20);
    }

    // ---- pinned upstreams, exhausted pools, all cooling ------------------------------------------------------

    @Test
    void aPinnedUpstreamWithAnEmptyAnswerTriesNoOtherAccountButTheNextUpstream() {
        storeAandB();
        codex.script(tokenA, CodexReply.emptyOutput());
        codex.script(tokenB, CodexReply.ok("must not be asked"));
        openai.defaultReply(Reply.ok("backup answers"));
        startGateway("""
                - { id: alice, provider: codex, base_url: "CODEX", account: a, priority: 10 }
                - { id: backup, provider: openai, base_url: "OPENAI", api_keys: ["k-backup"] }
                """);

        assertThat(chat()).isEqualTo("backup answers");
        assertThat(codex.requestsWithToken(tokenB)).isEmpty();
    }

    @Test
    void whenEveryAccountFailsThePlainOpenAiUpstreamAnswers() {
        storeAandB();
        codex.script(tokenA, CodexReply.serverError(503), CodexReply.serverError(503));
        codex.script(tokenB, CodexReply.usageNotIncluded());
        openai.defaultReply(Reply.ok("backup answers"));
        startPoolWithBackup();

        assertThat(chat()).isEqualTo("backup answers");
        assertThat(codex.requests()).hasSize(3);
    }

    @Test
    void whenEveryAccountIsCoolingTheClientGets503WithRetryAfter() {
        storeAandB();
        Instant reset = Instant.now().plusSeconds(600);
        codex.script(tokenA, CodexReply.usageLimitReached("plus", reset, Duration.ofSeconds(600)));
        codex.script(tokenB, CodexReply.usageLimitReached("plus", reset.plusSeconds(60), Duration.ofSeconds(660)));
        startGateway("""
                - { id: pool, provider: codex, base_url: "CODEX", accounts: all }
                """);
        assertThatThrownBy(this::chat).isInstanceOf(OpenAIServiceException.class);

        var response = gateway.chat(MODEL, false);

        assertThat(response.statusCode()).isEqualTo(503);
        long retryAfter = Long.parseLong(response.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(590L, 600L);
        assertThat(codex.requests()).as("nothing was sent while all were cooling").hasSize(2);
    }

    // ---- streams: before and after the first output -----------------------------------------------------------

    @Test
    void aResponsesStreamThatFailsAfterResponseCreatedFailsOverInvisibly() {
        storeAandB();
        // A failure before output is transient: resent to a once in place, then b.
        codex.script(tokenA, CodexReply.errorBeforeOutput("server_error", "The backend broke."),
                CodexReply.errorBeforeOutput("server_error", "The backend broke again."));
        codex.script(tokenB, CodexReply.ok("Clean answer from b"));
        startPoolWithBackup();

        List<ResponseStreamEvent> events = streamedResponse();

        assertThat(codex.requestsWithToken(tokenA)).hasSize(2);
        assertThat(deltas(events)).isEqualTo("Clean answer from b");
        assertThat(events.stream().filter(ResponseStreamEvent::isCreated)).as("one response.created").hasSize(1);
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(events.stream().anyMatch(ResponseStreamEvent::isFailed)).isFalse();
    }

    @Test
    void anErrorAfterOutputEndsTheStreamWithResponseFailedAndIsNotReplayed() {
        storeAandB();
        codex.script(tokenA, CodexReply.failedAfterOutput(2, "Half an answer that", "server_error", "Broke."));
        codex.script(tokenB, CodexReply.ok("must not be replayed"));
        startPoolWithBackup();

        List<ResponseStreamEvent> events = streamedResponse();

        assertThat(deltas(events).strip()).isEqualTo("Half an");
        assertThat(events.getLast().isFailed()).isTrue();
        for (int i = 0; i < events.size(); i++) {
            assertThat(sequenceNumber(events.get(i))).isEqualTo(i);
        }
        assertThat(codex.requestsWithToken(tokenB)).isEmpty();
    }

    private static long sequenceNumber(ResponseStreamEvent event) {
        return JSON.valueToTree(event).path("sequence_number").asLong(-1);
    }
}
