package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.account.TokenEndpointClient;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Refreshes Kiro logins (protocols.md §4). Two flavours, told apart by the account's attributes:
 * <ul>
 *   <li>social (Google/GitHub sign-in to Kiro): JSON {@code {"refreshToken"}} to {@code oauth.kiro_refresh_url}; the
 *       answer also names the {@code profileArn}, which the account keeps;</li>
 *   <li>IdC / Builder ID (AWS SSO OIDC), for accounts with {@code client_id} and {@code client_secret} from the
 *       login's client registration: a {@code refresh_token} grant to {@code https://oidc.<region>.amazonaws.com/token},
 *       {@code region} from the account (default {@code us-east-1}).</li>
 * </ul>
 * Both may rotate the refresh token, so the caller persists a {@link Result.Refreshed} account before using it.
 * Uses the JDK's HTTP client, like the Codex refresher: a rare control-plane call.
 */
public final class KiroTokenRefresher implements TokenRefreshPort, AutoCloseable {

    public static final String PROVIDER = "kiro";
    public static final URI DEFAULT_SOCIAL_URL = URI.create("https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken");
    public static final String DEFAULT_OIDC_URL = "https://oidc.{region}.amazonaws.com/token";
    public static final String PROFILE_ARN = "profile_arn";
    public static final String CLIENT_ID = "client_id";
    public static final String CLIENT_SECRET = "client_secret";
    public static final String REGION = "region";
    static final String DEFAULT_REGION = "us-east-1";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);


    private final URI socialUrl;
    private final String oidcUrlTemplate;
    private final Clock clock;
    private final Duration requestTimeout;
    private final TokenEndpointClient http;

    /**
     * @param socialUrl       {@code oauth.kiro_refresh_url}
     * @param oidcUrlTemplate the OIDC token URL with {@code {region}} where the account's region goes
     */
    public KiroTokenRefresher(URI socialUrl, String oidcUrlTemplate, Clock clock) {
        this.socialUrl = Objects.requireNonNull(socialUrl, "socialUrl");
        this.oidcUrlTemplate = Objects.requireNonNull(oidcUrlTemplate, "oidcUrlTemplate");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        this.http = new TokenEndpointClient(DEFAULT_CONNECT_TIMEOUT);
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
        HttpRequest request = isIdc(account) ? oidcRequest(account) : socialRequest(account);
        HttpResponse<String> response;
        try {
            response = http.send(request);
        } catch (HttpTimeoutException e) {
            return new Result.Failed("token endpoint timed out");
        } catch (IOException e) {
            // The type is all an operator needs, and it cannot leak a token.
            return new Result.Failed("token endpoint unreachable (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Failed("interrupted");
        }
        return answer(account, response.statusCode(), response.body());
    }

    private static boolean isIdc(StoredAccount account) {
        return account.attributes().containsKey(CLIENT_ID) && account.attributes().containsKey(CLIENT_SECRET);
    }

    private HttpRequest socialRequest(StoredAccount account) {
        return post(socialUrl, ChatJson.mapper().createObjectNode().put("refreshToken", account.refreshToken().get().reveal()));
    }

    private HttpRequest oidcRequest(StoredAccount account) {
        String region = account.attributes().getOrDefault(REGION, DEFAULT_REGION);
        // The region is the user's text: only a region-shaped value may go into the host name.
        if (!region.matches("[a-z]{2}(-[a-z]+)+-[0-9]")) {
            region = DEFAULT_REGION;
        }
        ObjectNode body = ChatJson.mapper().createObjectNode()
                .put("clientId", account.attributes().get(CLIENT_ID))
                .put("clientSecret", account.attributes().get(CLIENT_SECRET))
                .put("refreshToken", account.refreshToken().get().reveal())
                .put("grantType", "refresh_token");
        return post(URI.create(oidcUrlTemplate.replace("{region}", region)), body);
    }

    private HttpRequest post(URI url, ObjectNode body) {
        return HttpRequest.newBuilder(url)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private Result answer(StoredAccount account, int status, String body) {
        if (status >= 200 && status < 300) {
            return refreshed(account, status, body);
        }
        if (status == 429 || status >= 500) {
            return new Result.Failed("http " + status);
        }
        if (status >= 400) {
            // 400 invalid_grant / invalid_client (OIDC), 401 (social): only a new login helps.
            return new Result.Rejected(errorCode(body).orElse("http " + status));
        }
        // 1xx or 3xx as a final answer: not the endpoint we were configured to reach.
        return new Result.Failed("http " + status);
    }

    private Result refreshed(StoredAccount account, int status, String body) {
        JsonNode json = parse(body).orElse(null);
        Optional<String> accessToken = json == null ? Optional.empty() : text(json.path("accessToken"));
        if (accessToken.isEmpty()) {
            return new Result.Failed("http " + status + " without an accessToken");
        }
        long expiresIn = json.path("expiresIn").asLong(0);
        Map<String, String> attributes = new LinkedHashMap<>();
        text(json.path("profileArn")).ifPresent(arn -> attributes.put(PROFILE_ARN, arn));
        return new Result.Refreshed(account.refreshed(new Secret(accessToken.get()),
                text(json.path("refreshToken")).map(Secret::new),
                expiresIn > 0 ? Optional.of(clock.instant().plusSeconds(expiresIn)) : Optional.empty(),
                attributes));
    }

    /** OAuth's {@code error} (RFC 6749 §5.2), or the AWS {@code __type} name after its {@code #}. */
    private static Optional<String> errorCode(String body) {
        return parse(body).flatMap(json -> text(json.path("error"))
                .or(() -> text(json.path("__type")).map(type -> type.substring(type.indexOf('#') + 1))));
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

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "KiroTokenRefresher[" + socialUrl + ", " + oidcUrlTemplate + "]";
    }
}
