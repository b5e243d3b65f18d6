package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fake of OpenAI's OAuth token endpoint as the Codex CLI uses it (protocols.md §3, "OAuth refresh") over a
 * {@link ScriptedHttpServer}: {@code POST /oauth/token} with a form-encoded {@code refresh_token} grant.
 *
 * <p>Like the real one it treats refresh tokens as single-use: it knows the refresh tokens it will
 * {@linkplain #acceptRefreshToken accept}; each accepted refresh answers with a fresh JWT access token (with
 * {@code exp}), an id token carrying {@code https://api.openai.com/auth}.{@code chatgpt_account_id} and the login's
 * email, and a new refresh token, after which the old one answers 400 {@code refresh_token_reused}. An unknown token
 * answers 400 {@code invalid_grant}. Tests can script the next answers ({@link #failNext}), and
 * {@linkplain #holdRefreshes hold} answers until released so that refreshes overlap. Every request is recorded, and
 * requests are counted per refresh token.
 *
 * <p>Whether a refresh wins is decided when its request arrives (requests are routed one at a time), and a hold only
 * delays the answer: two overlapping refreshes with one token get one success and one {@code refresh_token_reused},
 * as from the real endpoint.
 */
public final class FakeOAuthTokenEndpoint implements AutoCloseable {

    /** The Codex CLI's OAuth client id, the only one this endpoint knows. */
    public static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
    public static final String PATH = "/oauth/token";
    /** How long a held answer waits at most for its release, so that a forgotten release cannot hang a build. */
    private static final Duration HOLD_LIMIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final ScriptedHttpServer server;

    /** Guards everything below; the router and test threads both use it. */
    private final Object lock = new Object();
    private final Map<String, Login> liveRefreshTokens = new HashMap<>();
    private final Set<String> usedRefreshTokens = new HashSet<>();
    private final Map<String, Integer> requestsPerRefreshToken = new HashMap<>();
    private final Deque<Answer> scripted = new ArrayDeque<>();
    private final List<String> issuedAccessTokens = new ArrayList<>();
    private final List<Hold> holds = new ArrayList<>();
    /** The refresh tokens of requests whose answers were held: spent here, their answers not sent before release. */
    private final Set<String> heldRefreshTokens = new HashSet<>();
    private Hold currentHold;
    private Duration expiresIn = Duration.ofHours(1);
    private boolean sendExpiresIn = true;
    private boolean rotates = true;
    private int issued;

    /** Whose login a refresh token belongs to: what the tokens issued for it say. */
    private record Login(String chatgptAccountId, String email, String planType) {
    }

    /** A scripted answer: status and raw JSON body. */
    private record Answer(int status, String body) {
    }

    /** One token request as sent: its form fields. */
    public record TokenRequest(String contentType, String grantType, String clientId, String refreshToken,
                               String scope) {
    }

    /** Holds the answers of refreshes that arrive while it is active, until {@link #release()}. */
    public static final class Hold {
        private final CountDownLatch released = new CountDownLatch(1);

        public void release() {
            released.countDown();
        }

        private void await() {
            try {
                if (!released.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("a held refresh was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private FakeOAuthTokenEndpoint(Clock clock) {
        this.clock = clock;
        this.server = ScriptedHttpServer.start(this::route);
    }

    /** Plain HTTP on 127.0.0.1 and an ephemeral port; tokens expire relative to the system clock. */
    public static FakeOAuthTokenEndpoint start() {
        return start(Clock.systemUTC());
    }

    /** As {@link #start()}, with the clock that issued tokens' {@code exp} is measured from. */
    public static FakeOAuthTokenEndpoint start(Clock clock) {
        return new FakeOAuthTokenEndpoint(Objects.requireNonNull(clock, "clock"));
    }

    /** {@code http://127.0.0.1:PORT/oauth/token}: what {@code oauth.codex_token_url} points at. */
    public String tokenUrl() {
        return server.url(PATH);
    }

    /**
     * Makes {@code refreshToken} valid (once) for the login of ChatGPT account {@code chatgptAccountId}, whose tokens
     * carry {@code email} and plan {@code plus}.
     */
    public FakeOAuthTokenEndpoint acceptRefreshToken(String refreshToken, String chatgptAccountId, String email) {
        synchronized (lock) {
            liveRefreshTokens.put(Objects.requireNonNull(refreshToken, "refreshToken"),
                    new Login(chatgptAccountId, email, "plus"));
        }
        return this;
    }

    /**
     * Answers the next token request with {@code status} and {@code body}, whatever it carries; queued answers are
     * used in order, one per request. The refresh token of a request answered so is not used up.
     */
    public FakeOAuthTokenEndpoint failNext(int status, String body) {
        synchronized (lock) {
            scripted.add(new Answer(status, Objects.requireNonNull(body, "body")));
        }
        return this;
    }

    /** The {@code expires_in} of successful answers and the lifetime behind their access tokens' {@code exp}. */
    public FakeOAuthTokenEndpoint expiresIn(Duration lifetime) {
        synchronized (lock) {
            this.expiresIn = Objects.requireNonNull(lifetime, "lifetime");
        }
        return this;
    }

    /** Successful answers leave {@code expires_in} out; the access token's {@code exp} still says when it ends. */
    public FakeOAuthTokenEndpoint withoutExpiresIn() {
        synchronized (lock) {
            this.sendExpiresIn = false;
        }
        return this;
    }

    /** Successful answers carry no new refresh token, and the one used stays valid (endpoints that do not rotate). */
    public FakeOAuthTokenEndpoint withoutRotation() {
        synchronized (lock) {
            this.rotates = false;
        }
        return this;
    }

    /**
     * From now on, answers to token requests wait until the returned hold is released (or this fake closes). The
     * fate of each request is still decided when it arrives; use {@link #awaitRequests} to know it has.
     */
    public Hold holdRefreshes() {
        synchronized (lock) {
            currentHold = new Hold();
            holds.add(currentHold);
            return currentHold;
        }
    }

    /** Every request received, in arrival order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** Every request's form fields, in arrival order. */
    public List<TokenRequest> tokenRequests() {
        return requests().stream().map(FakeOAuthTokenEndpoint::tokenRequest).toList();
    }

    /** How many requests presented {@code refreshToken}, whatever they were answered. */
    public int refreshCount(String refreshToken) {
        synchronized (lock) {
            return requestsPerRefreshToken.getOrDefault(refreshToken, 0);
        }
    }

    /**
     * The refresh tokens presented by requests that arrived while a hold was active, decided with their arrival: a
     * test can tell exactly which refreshes were on the wire, where counting requests from some moment races with
     * the request routed just before or after it.
     */
    public Set<String> heldRefreshTokens() {
        synchronized (lock) {
            return Set.copyOf(heldRefreshTokens);
        }
    }

    /** The refresh token that currently works for ChatGPT account {@code chatgptAccountId}, if any does. */
    public Optional<String> liveRefreshToken(String chatgptAccountId) {
        synchronized (lock) {
            return liveRefreshTokens.entrySet().stream()
                    .filter(entry -> Objects.equals(entry.getValue().chatgptAccountId(), chatgptAccountId))
                    .map(Map.Entry::getKey).findFirst();
        }
    }

    /** Every access token issued so far, oldest first. */
    public List<String> issuedAccessTokens() {
        synchronized (lock) {
            return List.copyOf(issuedAccessTokens);
        }
    }

    /** Waits until at least {@code n} requests arrived; false if {@code timeout} passed first. */
    public boolean awaitRequests(int n, Duration timeout) throws InterruptedException {
        return server.awaitRequestCount(n, timeout);
    }

    /** Releases every hold, then stops listening. */
    @Override
    public void close() {
        synchronized (lock) {
            holds.forEach(Hold::release);
        }
        server.close();
    }

    private Script route(RecordedRequest request) {
        if (!"POST".equals(request.method()) || !PATH.equals(request.pathWithoutQuery())) {
            return out -> out.sendJson(404, error("not_found", "Unknown request URL: " + request.path()));
        }
        TokenRequest form = tokenRequest(request);
        Answer answer;
        Hold hold;
        synchronized (lock) {
            if (form.refreshToken() != null) {
                requestsPerRefreshToken.merge(form.refreshToken(), 1, Integer::sum);
            }
            answer = scripted.isEmpty() ? answer(form) : scripted.poll();
            hold = currentHold;
            if (hold != null && form.refreshToken() != null) {
                heldRefreshTokens.add(form.refreshToken());
            }
        }
        return out -> {
            if (hold != null) {
                hold.await();
            }
            out.sendJson(answer.status(), answer.body());
        };
    }

    /** The endpoint's decision for one request; called with {@link #lock} held. */
    private Answer answer(TokenRequest form) {
        if (!"refresh_token".equals(form.grantType())) {
            return new Answer(400, error("unsupported_grant_type", "Unsupported grant type"));
        }
        if (!CLIENT_ID.equals(form.clientId())) {
            return new Answer(401, error("invalid_client", "Unknown client"));
        }
        if (form.refreshToken() != null && usedRefreshTokens.contains(form.refreshToken())) {
            return new Answer(400, error("refresh_token_reused", "Your refresh token has already been used to "
                    + "generate a new access token. Please try signing in again."));
        }
        Login login = form.refreshToken() == null ? null : liveRefreshTokens.get(form.refreshToken());
        if (login == null) {
            return new Answer(400, error("invalid_grant", "Invalid refresh token"));
        }
        return new Answer(200, tokens(form.refreshToken(), login));
    }

    private String tokens(String usedRefreshToken, Login login) {
        int n = ++issued;
        Instant expiry = clock.instant().plus(expiresIn);
        String accessToken = TestJwt.of(TestJwt.chatgptPayload(login.chatgptAccountId(), login.email(),
                login.planType(), expiry).put("jti", "access-" + n).toString());
        issuedAccessTokens.add(accessToken);
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", accessToken);
        body.put("id_token", TestJwt.chatgpt(login.chatgptAccountId(), login.email(), login.planType(), expiry));
        body.put("token_type", "Bearer");
        body.put("scope", "openid profile email offline_access");
        if (sendExpiresIn) {
            body.put("expires_in", expiresIn.toSeconds());
        }
        if (rotates) {
            String next = "rt-fake-" + n;
            liveRefreshTokens.remove(usedRefreshToken);
            usedRefreshTokens.add(usedRefreshToken);
            liveRefreshTokens.put(next, login);
            body.put("refresh_token", next);
        }
        return body.toString();
    }

    private static String error(String code, String description) {
        return JSON.createObjectNode().put("error", code).put("error_description", description).toString();
    }

    private static TokenRequest tokenRequest(RecordedRequest request) {
        var form = new LinkedHashMap<String, String>();
        for (String pair : request.body().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            form.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return new TokenRequest(request.header("content-type"), form.get("grant_type"), form.get("client_id"),
                form.get("refresh_token"), form.get("scope"));
    }
}
