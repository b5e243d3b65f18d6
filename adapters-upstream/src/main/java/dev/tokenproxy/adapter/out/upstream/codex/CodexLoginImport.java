package dev.tokenproxy.adapter.out.upstream.codex;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A ChatGPT login of the Codex CLI, read from its {@code $CODEX_HOME/auth.json} (codex-rs {@code AuthDotJson}:
 * {@code {"OPENAI_API_KEY", "tokens": {"id_token", "access_token", "refresh_token", "account_id"}, "last_refresh"}}),
 * to become a stored {@code codex} account.
 *
 * <p>Problems name the file and the field, never a value: the file is full of tokens.
 */
public final class CodexLoginImport {


    private final Secret accessToken;
    private final Secret refreshToken;
    private final Optional<Instant> expiresAt;
    private final Map<String, String> attributes;

    private CodexLoginImport(Secret accessToken, Secret refreshToken, Optional<Instant> expiresAt,
                             Map<String, String> attributes) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.expiresAt = expiresAt;
        this.attributes = Map.copyOf(attributes);
    }

    /** The login cannot become an account; the message names the file and what is missing. */
    public static final class UnusableLoginException extends RuntimeException {
        UnusableLoginException(String message) {
            super(message, null, false, false);
        }
    }

    /** @throws UnusableLoginException when the file is missing, unreadable, not JSON or not a ChatGPT login */
    public static CodexLoginImport read(Path authJson) {
        Objects.requireNonNull(authJson, "authJson");
        JsonNode root = parse(authJson);
        JsonNode tokens = root.path("tokens");
        if (tokens.isMissingNode() || tokens.isNull()) {
            throw new UnusableLoginException(text(root.path("OPENAI_API_KEY")).isPresent()
                    ? authJson + " holds an API-key login (OPENAI_API_KEY), not a ChatGPT login: there is no account "
                            + "to import (log in to Codex with ChatGPT first)"
                    : authJson + ": \"tokens\" is missing, so it holds no ChatGPT login");
        }
        if (!tokens.isObject()) {
            throw new UnusableLoginException(authJson + ": \"tokens\" must be an object");
        }
        String access = required(authJson, tokens, "access_token");
        String refresh = required(authJson, tokens, "refresh_token");
        var accessClaims = CodexTokens.claims(access);
        var claims = CodexTokens.claims(text(tokens.path("id_token")).orElse(null)).or(accessClaims);
        // codex-rs keeps the account id it sends as ChatGPT-Account-ID in tokens.account_id; the claim is a fallback.
        String accountId = text(tokens.path("account_id")).or(claims::chatgptAccountId)
                .orElseThrow(() -> new UnusableLoginException(authJson + ": no ChatGPT account id (neither "
                        + "tokens.account_id nor chatgpt_account_id in tokens.id_token)"));
        var attributes = new LinkedHashMap<>(claims.attributes());
        attributes.put(CodexTokens.ACCOUNT_ID, accountId);
        return new CodexLoginImport(new Secret(access), new Secret(refresh), accessClaims.expiresAt(), attributes);
    }

    public Optional<String> email() {
        return Optional.ofNullable(attributes.get(CodexTokens.EMAIL));
    }

    public String chatgptAccountId() {
        return attributes.get(CodexTokens.ACCOUNT_ID);
    }

    /**
     * Whether {@code account} is this login: a codex account of the same person in the same ChatGPT account. Both
     * must match, because a team workspace shares one ChatGPT account id among members who each log in.
     */
    public boolean isSameLoginAs(StoredAccount account) {
        return account.provider().equals(CodexTokenRefresher.PROVIDER)
                && chatgptAccountId().equals(account.attributes().get(CodexTokens.ACCOUNT_ID))
                && email().equals(Optional.ofNullable(account.attributes().get(CodexTokens.EMAIL)));
    }

    /** The login as an active {@code codex} account named {@code id}, expiring when its access token does. */
    public StoredAccount account(String id) {
        return new StoredAccount(id, CodexTokenRefresher.PROVIDER, AccountStatus.ACTIVE, accessToken,
                Optional.of(refreshToken), expiresAt, attributes);
    }

    private static JsonNode parse(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UnusableLoginException("no Codex login file at " + file);
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

    private static String required(Path file, JsonNode tokens, String field) {
        return text(tokens.path(field))
                .orElseThrow(() -> new UnusableLoginException(file + ": tokens." + field + " is missing"));
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? Optional.of(node.textValue()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "CodexLoginImport[" + chatgptAccountId() + "]";
    }
}
