package dev.tokenproxy.adapter.out.upstream.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.TokenRefreshPort.Result;
import dev.tokenproxy.domain.account.AccountStatus;
import dev.tokenproxy.testing.FakeOAuthTokenEndpoint;
import dev.tokenproxy.testing.TestJwt;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(20)
class CodexTokenRefresherTest {

    private static final String REFRESH_TOKEN = "rt-secret-1";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeOAuthTokenEndpoint endpoint;
    private CodexTokenRefresher refresher;

    @AfterEach
    void close() {
        if (refresher != null) {
            refresher.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void sendsTheFormEncodedRefreshGrantOfTheCodexClient() {
        start(FakeOAuthTokenEndpoint.start());

        refresher.refresh(account(REFRESH_TOKEN));

        assertThat(endpoint.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo(FakeOAuthTokenEndpoint.PATH);
            assertThat(request.body()).isEqualTo("grant_type=refresh_token&client_id=app_EMoamEEZ73f0CkXaXp7hrann"
                    + "&refresh_token=rt-secret-1&scope=openid+profile+email");
        });
        var form = endpoint.tokenRequests().getFirst();
        assertThat(form.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(form.clientId()).isEqualTo(FakeOAuthTokenEndpoint.CLIENT_ID);
        assertThat(form.scope()).isEqualTo("openid profile email");
    }

    @Test
    void aRefreshGivesNewTokensTheExpiryFromExpiresInAndTheIdTokensClaims() {
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "alice@example.com"));
        StoredAccount before = account(REFRESH_TOKEN).withStatus(AccountStatus.NEEDS_LOGIN);

        Result result = refresher.refresh(before);

        assertThat(result).isInstanceOf(Result.Refreshed.class);
        StoredAccount after = ((Result.Refreshed) result).account();
        assertThat(after.id()).isEqualTo("codex-a");
        assertThat(after.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(after.accessToken().reveal()).isEqualTo(endpoint.issuedAccessTokens().getFirst());
        assertThat(after.refreshToken()).map(Secret::reveal).isEqualTo(endpoint.liveRefreshToken("acct-1"))
                .isPresent().get().isNotEqualTo(REFRESH_TOKEN);
        assertThat(after.expiresAt()).as("clock now + expires_in").hasValue(NOW.plusSeconds(3600));
        assertThat(after.attributes()).containsEntry("chatgpt_account_id", "acct-1")
                .containsEntry("email", "alice@example.com").containsEntry("chatgpt_plan_type", "plus")
                .containsEntry("note", "kept");
        assertThat(result.toString()).doesNotContain(after.accessToken().reveal(), REFRESH_TOKEN);
    }

    @Test
    void withoutExpiresInTheExpiryIsTheAccessTokensExp() {
        Instant issuedAt = Instant.parse("2026-05-05T05:00:00Z");
        start(FakeOAuthTokenEndpoint.start(Clock.fixed(issuedAt, ZoneOffset.UTC))
                .acceptRefreshToken(REFRESH_TOKEN, "acct-1", "a@example.com").withoutExpiresIn()
                .expiresIn(Duration.ofMinutes(10)));

        StoredAccount after = refreshed(refresher.refresh(account(REFRESH_TOKEN)));

        assertThat(after.expiresAt()).hasValue(issuedAt.plus(Duration.ofMinutes(10)));
    }

    @Test
    void withoutARotatedRefreshTokenTheOldOneIsKept() {
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "a@example.com")
                .withoutRotation());

        StoredAccount after = refreshed(refresher.refresh(account(REFRESH_TOKEN)));

        assertThat(after.refreshToken()).map(Secret::reveal).hasValue(REFRESH_TOKEN);
    }

    @Test
    void claimsMissingFromTheIdTokenAreTakenFromTheAccessToken() {
        String access = TestJwt.chatgpt("acct-from-access", "access@example.com", "pro", NOW.plusSeconds(60));
        String id = TestJwt.chatgpt(null, "id@example.com", null, null);
        start(FakeOAuthTokenEndpoint.start().failNext(200, "{\"access_token\":\"" + access + "\",\"id_token\":\""
                + id + "\"}"));

        StoredAccount after = refreshed(refresher.refresh(account(REFRESH_TOKEN)));

        assertThat(after.attributes()).containsEntry("chatgpt_account_id", "acct-from-access")
                .containsEntry("email", "id@example.com").containsEntry("chatgpt_plan_type", "pro");
        assertThat(after.expiresAt()).hasValue(NOW.plusSeconds(60));
    }

    @Test
    void theOldRefreshTokenIsRejectedAsReusedAfterARotation() {
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "a@example.com"));
        StoredAccount original = account(REFRESH_TOKEN);

        StoredAccount rotated = refreshed(refresher.refresh(original));
        Result reuse = refresher.refresh(original);
        Result next = refresher.refresh(rotated);

        assertThat(reuse).isEqualTo(new Result.Rejected("refresh_token_reused"));
        assertThat(next).isInstanceOf(Result.Refreshed.class);
    }

    @Test
    void ofTwoOverlappingRefreshesWithOneTokenOnlyTheFirstToArriveWins() throws Exception {
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "a@example.com"));
        var hold = endpoint.holdRefreshes();

        CompletableFuture<Result> first = CompletableFuture.supplyAsync(() -> refresher.refresh(account(REFRESH_TOKEN)));
        assertThat(endpoint.awaitRequests(1, WAIT)).isTrue();
        CompletableFuture<Result> second = CompletableFuture.supplyAsync(() -> refresher.refresh(account(REFRESH_TOKEN)));
        assertThat(endpoint.awaitRequests(2, WAIT)).isTrue();
        hold.release();

        assertThat(first.get()).isInstanceOf(Result.Refreshed.class);
        assertThat(second.get()).isEqualTo(new Result.Rejected("refresh_token_reused"));
        assertThat(endpoint.refreshCount(REFRESH_TOKEN)).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            400 | {"error":"invalid_grant","error_description":"rt-secret-1 is bad"}                       | invalid_grant
            401 | {"error":{"message":"expired","type":"invalid_request_error","code":"refresh_token_expired"}} | refresh_token_expired
            401 | {"error":{"message":"x","type":"refresh_token_invalidated"}}                               | refresh_token_invalidated
            400 | {"code":"refresh_token_reused"}                                                           | refresh_token_reused
            401 | {"error":"INVALID_GRANT"}                                                                 | invalid_grant
            400 | {"error":"invalid_request"}                                                               | http 400
            401 | not json rt-secret-1                                                                      | http 401
            403 | {"error":"invalid_grant"}                                                                 | http 403
            404 | {"error":"not_found"}                                                                     | http 404
            """)
    void aRefusalIsRejectedWithTheEndpointsCodeOrTheStatus(int status, String body, String reason) {
        start(FakeOAuthTokenEndpoint.start().failNext(status, body));

        Result result = refresher.refresh(account(REFRESH_TOKEN));

        assertThat(result).isEqualTo(new Result.Rejected(reason));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            500 | {"error":"server_error"}                       | http 500
            503 | {"error":"temporarily_unavailable"}            | http 503
            429 | {"error":"invalid_grant"}                      | http 429
            200 | <html>rt-secret-1</html>                       | http 200 with a body that is not a JSON object
            200 | {"refresh_token":"rt-2","expires_in":3600}     | http 200 without an access_token
            302 | {}                                             | http 302
            """)
    void aPassingFailureIsFailedWithAReasonThatHoldsNoToken(int status, String body, String reason) {
        start(FakeOAuthTokenEndpoint.start().failNext(status, body));

        Result result = refresher.refresh(account(REFRESH_TOKEN));

        assertThat(result).isEqualTo(new Result.Failed(reason));
        assertThat(reason).doesNotContain(REFRESH_TOKEN, "rt-2");
    }

    @Test
    void anAccountWithoutARefreshTokenIsRejectedWithoutACall() {
        start(FakeOAuthTokenEndpoint.start());
        var account = new StoredAccount("codex-a", "codex", AccountStatus.ACTIVE, new Secret("at"), Optional.empty(),
                Optional.empty(), Map.of());

        assertThat(refresher.refresh(account)).isEqualTo(new Result.Rejected("no refresh token"));
        assertThat(endpoint.requests()).isEmpty();
    }

    @Test
    void anUnreachableEndpointIsAPassingFailure() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        refresher = new CodexTokenRefresher(URI.create("http://127.0.0.1:" + closedPort + "/oauth/token"), CLOCK);

        Result result = refresher.refresh(account(REFRESH_TOKEN));

        assertThat(result).isInstanceOf(Result.Failed.class);
        assertThat(((Result.Failed) result).reason()).startsWith("token endpoint unreachable (")
                .doesNotContain(REFRESH_TOKEN);
    }

    @Test
    void anEndpointThatDoesNotAnswerInTimeIsAPassingFailure() throws Exception {
        endpoint = FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "a@example.com");
        var hold = endpoint.holdRefreshes();
        refresher = new CodexTokenRefresher(URI.create(endpoint.tokenUrl()), CLOCK, Duration.ofSeconds(5),
                Duration.ofMillis(300));

        Result result = refresher.refresh(account(REFRESH_TOKEN));
        hold.release();

        assertThat(result).isEqualTo(new Result.Failed("token endpoint timed out"));
    }

    @Test
    void refreshesTheCodexProvider() {
        start(FakeOAuthTokenEndpoint.start());

        assertThat(refresher.provider()).isEqualTo("codex");
        assertThat(List.of(refresher.toString())).noneMatch(text -> text.contains(REFRESH_TOKEN));
    }

    @Test
    void theHttpClientAndItsThreadAreMadeByTheFirstRefreshNotByTheRefresher() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "alice@example.com"));

        assertThat(newHttpClientThreads(before)).isEmpty();

        assertThat(refresher.refresh(account(REFRESH_TOKEN))).isInstanceOf(Result.Refreshed.class);
        assertThat(newHttpClientThreads(before)).isNotEmpty();
    }

    @Test
    void aRefreshAfterCloseIsAPassingFailureThatCallsNothing() {
        start(FakeOAuthTokenEndpoint.start().acceptRefreshToken(REFRESH_TOKEN, "acct-1", "alice@example.com"));
        refresher.close();

        assertThat(refresher.refresh(account(REFRESH_TOKEN))).isInstanceOf(Result.Failed.class);
        assertThat(endpoint.requests()).isEmpty();
    }

    /** The JDK's client names its selector thread {@code HttpClient-<n>-SelectorManager}. */
    private static List<String> newHttpClientThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.getName().startsWith("HttpClient-"))
                .map(Thread::getName)
                .toList();
    }

    private void start(FakeOAuthTokenEndpoint fake) {
        endpoint = fake;
        refresher = new CodexTokenRefresher(URI.create(fake.tokenUrl()), CLOCK);
    }

    private static StoredAccount refreshed(Result result) {
        assertThat(result).isInstanceOf(Result.Refreshed.class);
        return ((Result.Refreshed) result).account();
    }

    private static StoredAccount account(String refreshToken) {
        return new StoredAccount("codex-a", "codex", AccountStatus.ACTIVE, new Secret("at-old"),
                Optional.of(new Secret(refreshToken)), Optional.of(NOW.minusSeconds(10)), Map.of("note", "kept"));
    }
}
