package dev.tokenproxy.adapter.out.upstream.codex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.account.TokenEndpointClient;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Refreshes Codex (ChatGPT) logins at OpenAI's token endpoint (protocols.md §3, "OAuth refresh"): a form-encoded
 * {@code refresh_token} grant with the Codex CLI's public client id. The endpoint rotates the refresh token on every
 * use and refuses a used one ({@code refresh_token_reused}), so the caller must persist a {@link Result.Refreshed}
 * account before anything else uses it.
 *
 * <p>Uses the JDK's HTTP client rather than the gateway's upstream transport: this is a rare control-plane call with
 * none of the streaming, pooling or watchdog needs of upstream traffic.
 */
public final class CodexTokenRefresher implements TokenRefreshPort, AutoCloseable {

    public static final String PROVIDER = "codex";
    /** The Codex CLI's OAuth client (codex-rs {@code CLIENT_ID}); public, it identifies the app, not a user. */
    static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
    static final String SCOPE = "openid profile email";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Error codes that mean this refresh token will never work again (codex-rs {@code classify_refresh_token_failure}
     * plus OAuth's {@code invalid_grant}, RFC 6749 §5.2): only a new login helps.
     */
    private static final Set<String> DEAD_REFRESH_TOKEN = Set.of("refresh_token_expired", "refresh_token_reused",
            "refresh_token_invalidated", "invalid_grant");

    private final URI tokenUrl;
    private final Clock clock;
    private final Duration requestTimeout;
    private final TokenEndpointClient http;

    public CodexTokenRefresher(URI tokenUrl, Clock clock) {
        this(tokenUrl, clock, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param connectTimeout bounds the TCP and TLS connect
     * @param requestTimeout bounds the wait for the endpoint's answer once connected
     */
    public CodexTokenRefresher(URI tokenUrl, Clock clock, Duration connectTimeout, Duration requestTimeout) {
        this.tokenUrl = Objects.requireNonNull(tokenUrl, "tokenUrl");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = new TokenEndpointClient(connectTimeout);
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public Result refresh(StoredAccount account) {
        Objects.requireNonNull(account, "account");
        if (account.refreshToken().isEmpty()) {
            return new Result.Rejected("no refresh token");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request(account.refreshToken().get()));
        } catch (HttpTimeoutException e) {
            return new Result.Failed("token endpoint timed out");
        } catch (IOException e) {
            // The type says what went wrong (ConnectException, ...); messages of the JDK client hold no tokens, but
            // a type is all an operator needs and cannot leak anything.
            return new Result.Failed("token endpoint unreachable (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Failed("interrupted");
        }
        return answer(account, response.statusCode(), response.body());
    }

    private HttpRequest request(Secret refreshToken) {
        var form = new LinkedHashMap<String, String>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", CLIENT_ID);
        form.put("refresh_token", refreshToken.reveal());
        form.put("scope", SCOPE);
        return HttpRequest.newBuilder(tokenUrl)
                .timeout(requestTimeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(formEncoded(form)))
                .build();
    }

    private Result answer(StoredAccount account, int status, String body) {
        if (status >= 200 && status < 300) {
            return refreshed(account, status, body);
        }
        if (status == 429 || status >= 500) {
            return new Result.Failed("http " + status);
        }
        if (status == 400 || status == 401) {
            Optional<String> code = deadTokenCode(body);
            if (code.isPresent()) {
                return new Result.Rejected(code.get());
            }
        }
        if (status >= 400) {
            return new Result.Rejected("http " + status);
        }
        // 1xx or 3xx as a final answer: not the endpoint we were configured to reach, perhaps a captive portal.
        return new Result.Failed("http " + status);
    }

    private Result refreshed(StoredAccount account, int status, String body) {
        JsonNode json = parse(body).orElse(null);
        if (json == null) {
            return new Result.Failed("http " + status + " with a body that is not a JSON object");
        }
        Optional<String> accessToken = text(json.path("access_token"));
        if (accessToken.isEmpty()) {
            return new Result.Failed("http " + status + " without an access_token");
        }
        var accessClaims = CodexTokens.claims(accessToken.get());
        var claims = CodexTokens.claims(text(json.path("id_token")).orElse(null)).or(accessClaims);
        Optional<Instant> expiresAt = expiresIn(json.path("expires_in"))
                .map(seconds -> clock.instant().plusSeconds(seconds))
                .or(accessClaims::expiresAt);
        return new Result.Refreshed(account.refreshed(new Secret(accessToken.get()),
                text(json.path("refresh_token")).map(Secret::new), expiresAt, claims.attributes()));
    }

    /**
     * The dead-refresh-token code, wherever OAuth endpoints put it: {@code error} as a string (RFC 6749 §5.2),
     * {@code error.code} or {@code error.type} when {@code error} is an object (OpenAI's error shape), or a top-level
     * {@code code}. Compared without case, like codex-rs does.
     */
    private static Optional<String> deadTokenCode(String body) {
        JsonNode json = parse(body).orElse(null);
        if (json == null) {
            return Optional.empty();
        }
        JsonNode error = json.path("error");
        return Stream.of(error, error.path("code"), error.path("type"), json.path("code"))
                .map(CodexTokenRefresher::text)
                .flatMap(Optional::stream)
                .map(code -> code.toLowerCase(Locale.ROOT))
                .filter(DEAD_REFRESH_TOKEN::contains)
                .findFirst();
    }

    private static Optional<Long> expiresIn(JsonNode node) {
        if (node.isIntegralNumber() && node.asLong() > 0) {
            return Optional.of(node.asLong());
        }
        if (node.isTextual() && node.textValue().matches("[0-9]{1,10}") && Long.parseLong(node.textValue()) > 0) {
            return Optional.of(Long.parseLong(node.textValue()));
        }
        return Optional.empty();
    }

    private static Optional<JsonNode> parse(String body) {
        try {
            JsonNode json = ChatJson.mapper().readTree(body);
            return json != null && json.isObject() ? Optional.of(json) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? Optional.of(node.textValue()) : Optional.empty();
    }

    private static String formEncoded(Map<String, String> form) {
        return form.entrySet().stream()
                .map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "CodexTokenRefresher[" + tokenUrl + "]";
    }
}
