package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fake of Kiro's two token refreshes (protocols.md §4) on one {@link ScriptedHttpServer}:
 * <ul>
 *   <li>social logins: {@code POST /refreshToken} with JSON {@code {"refreshToken"}}, answering
 *       {@code {"accessToken","refreshToken","profileArn","expiresIn"}}: what {@code oauth.kiro_refresh_url} points at;</li>
 *   <li>IdC / Builder ID logins (AWS SSO OIDC): {@code POST /token} with JSON
 *       {@code {"clientId","clientSecret","refreshToken","grantType":"refresh_token"}}, answering
 *       {@code {"accessToken","refreshToken","expiresIn"}}; 400 {@code invalid_grant} for a dead token, 400
 *       {@code invalid_client} for an unknown client.</li>
 * </ul>
 * Refresh tokens are single-use, as with {@link FakeOAuthTokenEndpoint}: a successful refresh rotates the token and
 * the old one is dead from then on (social: 401; OIDC: 400 {@code invalid_grant}). Every request is recorded.
 */
public final class FakeKiroRefreshEndpoint implements AutoCloseable {

    public static final String SOCIAL_PATH = "/refreshToken";
    public static final String OIDC_PATH = "/token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whose login a refresh token belongs to. */
    private record Login(String profileArn, String clientId, String clientSecret) {
        boolean oidc() {
            return clientId != null;
        }
    }

    private record Answer(int status, String body) { }

    private final ScriptedHttpServer server;
    private final Object lock = new Object();
    private final Map<String, Login> live = new HashMap<>();
    private final Deque<Answer> scripted = new ArrayDeque<>();
    private Duration expiresIn = Duration.ofHours(1);
    private int issued;

    private FakeKiroRefreshEndpoint() {
        this.server = ScriptedHttpServer.start(this::route);
    }

    public static FakeKiroRefreshEndpoint start() {
        return new FakeKiroRefreshEndpoint();
    }

    /** {@code http://127.0.0.1:PORT/refreshToken}. */
    public String socialUrl() {
        return server.url(SOCIAL_PATH);
    }

    /** {@code http://127.0.0.1:PORT/token}: stands for {@code https://oidc.<region>.amazonaws.com/token}. */
    public String oidcUrl() {
        return server.url(OIDC_PATH);
    }

    /** Makes {@code refreshToken} valid, once, for a social login whose refreshes report {@code profileArn}. */
    public FakeKiroRefreshEndpoint acceptSocialRefreshToken(String refreshToken, String profileArn) {
        synchronized (lock) {
            live.put(Objects.requireNonNull(refreshToken, "refreshToken"), new Login(profileArn, null, null));
        }
        return this;
    }

    /** Makes {@code refreshToken} valid, once, for an IdC login registered as this OIDC client. */
    public FakeKiroRefreshEndpoint acceptOidcRefreshToken(String refreshToken, String clientId, String clientSecret) {
        synchronized (lock) {
            live.put(Objects.requireNonNull(refreshToken, "refreshToken"), new Login(null,
                    Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(clientSecret, "clientSecret")));
        }
        return this;
    }

    /** Answers the next request with {@code status} and {@code body}, whatever it carries; its token stays valid. */
    public FakeKiroRefreshEndpoint failNext(int status, String body) {
        synchronized (lock) {
            scripted.add(new Answer(status, Objects.requireNonNull(body, "body")));
        }
        return this;
    }

    public FakeKiroRefreshEndpoint expiresIn(Duration lifetime) {
        synchronized (lock) {
            expiresIn = Objects.requireNonNull(lifetime, "lifetime");
        }
        return this;
    }

    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** The refresh token that now works for the login with this profile ARN (social) or client id (OIDC), if any. */
    public String currentRefreshToken(String profileArnOrClientId) {
        synchronized (lock) {
            return live.entrySet().stream()
                    .filter(e -> profileArnOrClientId.equals(e.getValue().profileArn())
                            || profileArnOrClientId.equals(e.getValue().clientId()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    private Script route(RecordedRequest request) {
        Answer answer;
        synchronized (lock) {
            answer = scripted.isEmpty() ? answer(request) : scripted.poll();
        }
        return out -> out.sendJson(answer.status(), answer.body());
    }

    /** Called with {@link #lock} held. */
    private Answer answer(RecordedRequest request) {
        if (!"POST".equals(request.method())) {
            return new Answer(405, "{\"message\":\"Method not allowed\"}");
        }
        JsonNode body = request.json();
        String refreshToken = body.path("refreshToken").asText(null);
        return switch (request.pathWithoutQuery()) {
            case SOCIAL_PATH -> social(refreshToken);
            case OIDC_PATH -> oidc(body, refreshToken);
            default -> new Answer(404, "{\"message\":\"Not found\"}");
        };
    }

    private Answer social(String refreshToken) {
        Login login = refreshToken == null ? null : live.get(refreshToken);
        if (login == null || login.oidc()) {
            return new Answer(401, "{\"message\":\"Invalid refresh token provided\"}");
        }
        ObjectNode tokens = rotate(refreshToken, login);
        tokens.put("profileArn", login.profileArn());
        return new Answer(200, tokens.toString());
    }

    private Answer oidc(JsonNode body, String refreshToken) {
        if (!"refresh_token".equals(body.path("grantType").asText())) {
            return oidcError("unsupported_grant_type", "Unsupported grant type");
        }
        Login login = refreshToken == null ? null : live.get(refreshToken);
        if (login == null || !login.oidc()) {
            return oidcError("invalid_grant", "Invalid refresh token provided");
        }
        if (!login.clientId().equals(body.path("clientId").asText())
                || !login.clientSecret().equals(body.path("clientSecret").asText())) {
            return oidcError("invalid_client", "Invalid client");
        }
        return new Answer(200, rotate(refreshToken, login).toString());
    }

    private ObjectNode rotate(String usedToken, Login login) {
        int n = ++issued;
        live.remove(usedToken);
        String next = "kiro-rt-" + n;
        live.put(next, login);
        return JSON.createObjectNode().put("accessToken", "kiro-at-" + n).put("refreshToken", next)
                .put("expiresIn", expiresIn.toSeconds());
    }

    private static Answer oidcError(String error, String description) {
        return new Answer(400, JSON.createObjectNode().put("error", error).put("error_description", description)
                .toString());
    }
}
