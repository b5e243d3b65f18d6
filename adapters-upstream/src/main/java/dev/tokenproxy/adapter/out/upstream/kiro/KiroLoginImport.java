package dev.tokenproxy.adapter.out.upstream.kiro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.domain.account.AccountStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Kiro login read from the file the Kiro IDE keeps it in ({@code ~/.aws/sso/cache/kiro-auth-token.json}:
 * {@code accessToken}, {@code refreshToken}, {@code expiresAt}, {@code profileArn} for a social login, {@code region}
 * and {@code clientIdHash} for an IdC / Builder ID one), ready to become a {@code kiro} account. An IdC login refreshes
 * through AWS SSO OIDC as the client the IDE registered; that registration ({@code clientId}, {@code clientSecret})
 * sits next to the login in {@code <clientIdHash>.json} and is kept with the account, or the login could not be
 * refreshed.
 */
public final class KiroLoginImport {


    private final Secret accessToken;
    private final Secret refreshToken;
    private final Optional<Instant> expiresAt;
    private final Map<String, String> attributes;

    private KiroLoginImport(Secret accessToken, Secret refreshToken, Optional<Instant> expiresAt,
                            Map<String, String> attributes) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.expiresAt = expiresAt;
        this.attributes = Map.copyOf(attributes);
    }

    /** The login cannot become an account; the message names the file and what is missing, never a token. */
    public static final class UnusableLoginException extends RuntimeException {
        UnusableLoginException(String message) {
            super(message, null, false, false);
        }
    }

    /** @throws UnusableLoginException when the file is missing, unreadable, not JSON or holds no refreshable login */
    public static KiroLoginImport read(Path tokenFile) {
        Objects.requireNonNull(tokenFile, "tokenFile");
        JsonNode root = parse(tokenFile, "no Kiro login file at " + tokenFile);
        String access = required(tokenFile, root, "accessToken");
        String refresh = required(tokenFile, root, "refreshToken");
        var attributes = new LinkedHashMap<String, String>();
        text(root.path("profileArn")).ifPresent(arn -> attributes.put(KiroTokenRefresher.PROFILE_ARN, arn));
        text(root.path("region")).ifPresent(region -> attributes.put(KiroTokenRefresher.REGION, region));
        Optional<String> clientIdHash = text(root.path("clientIdHash"));
        if (clientIdHash.isPresent()) {
            attributes.putAll(clientRegistration(tokenFile, clientIdHash.get()));
        } else if (isIdc(root)) {
            throw new UnusableLoginException(tokenFile + " holds an IdC login without \"clientIdHash\": the client "
                    + "registration it refreshes with cannot be found");
        }
        return new KiroLoginImport(new Secret(access), new Secret(refresh), expiresAt(tokenFile, root), attributes);
    }

    public Optional<String> profileArn() {
        return Optional.ofNullable(attributes.get(KiroTokenRefresher.PROFILE_ARN));
    }

    /** {@code social} or {@code IdC}, for the operator's message. */
    public String kind() {
        return attributes.containsKey(KiroTokenRefresher.CLIENT_ID) ? "IdC" : "social";
    }

    /**
     * Whether {@code account} is this login: a kiro account with the same profile (one per Kiro user and region), or,
     * for an IdC login without one, of the same registered client.
     */
    public boolean isSameLoginAs(StoredAccount account) {
        if (!account.provider().equals(KiroTokenRefresher.PROVIDER)) {
            return false;
        }
        Optional<String> key = profileArn().isPresent() ? profileArn()
                : Optional.ofNullable(attributes.get(KiroTokenRefresher.CLIENT_ID));
        String field = profileArn().isPresent() ? KiroTokenRefresher.PROFILE_ARN : KiroTokenRefresher.CLIENT_ID;
        return key.isPresent() && key.get().equals(account.attributes().get(field));
    }

    /** The login as an active {@code kiro} account named {@code id}. */
    public StoredAccount account(String id) {
        return new StoredAccount(id, KiroTokenRefresher.PROVIDER, AccountStatus.ACTIVE, accessToken,
                Optional.of(refreshToken), expiresAt, attributes);
    }

    private static boolean isIdc(JsonNode root) {
        String method = root.path("authMethod").asText("");
        return method.equalsIgnoreCase("IdC") || method.equalsIgnoreCase("builder-id");
    }

    private static Map<String, String> clientRegistration(Path tokenFile, String clientIdHash) {
        // The hash names a file in the same folder; anything that could leave the folder is not a hash.
        if (!clientIdHash.matches("[A-Za-z0-9_-]{1,128}")) {
            throw new UnusableLoginException(tokenFile + ": \"clientIdHash\" is not a file name");
        }
        Path registrationFile = tokenFile.resolveSibling(clientIdHash + ".json");
        JsonNode registration = parse(registrationFile, "the IdC client registration " + registrationFile
                + " is missing: log in to Kiro again, then import");
        return Map.of(KiroTokenRefresher.CLIENT_ID, required(registrationFile, registration, "clientId"),
                KiroTokenRefresher.CLIENT_SECRET, required(registrationFile, registration, "clientSecret"));
    }

    /** ISO-8601 text as the IDE writes it; epoch milliseconds as some tools do; unknown otherwise. */
    private static Optional<Instant> expiresAt(Path file, JsonNode root) {
        JsonNode value = root.path("expiresAt");
        if (value.isNumber()) {
            return Optional.of(Instant.ofEpochMilli(value.asLong()));
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.textValue()));
        } catch (DateTimeParseException e) {
            throw new UnusableLoginException(file + ": \"expiresAt\" is not an ISO-8601 time");
        }
    }

    private static JsonNode parse(Path file, String whenMissing) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UnusableLoginException(whenMissing);
        } catch (IOException e) {
            throw new UnusableLoginException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        try {
            JsonNode root = ChatJson.mapper().readTree(content);
            if (root == null || !root.isObject()) {
                throw new UnusableLoginException(file + ": must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            // Not Jackson's message: it quotes the text it choked on, here a token as likely as not.
            var location = e.getLocation();
            throw new UnusableLoginException(file + " is not valid JSON" + (location == null ? ""
                    : " at line " + location.getLineNr() + ", column " + location.getColumnNr()));
        } catch (IOException e) {
            throw new UnusableLoginException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static String required(Path file, JsonNode root, String field) {
        return text(root.path(field)).orElseThrow(() -> new UnusableLoginException(file + ": \"" + field
                + "\" is missing"));
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? Optional.of(node.textValue()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "KiroLoginImport[" + kind() + ", " + profileArn().orElse("no profile") + "]";
    }
}
