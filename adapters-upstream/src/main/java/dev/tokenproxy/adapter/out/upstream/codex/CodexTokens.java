package dev.tokenproxy.adapter.out.upstream.codex;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway reads from a Codex (ChatGPT) login's JWTs (protocols.md §3, "OAuth refresh"): the access token's
 * {@code exp}, and from the id token the ChatGPT account id (sent as {@code ChatGPT-Account-ID}), the plan and the
 * email.
 *
 * <p>The signature is not checked, on purpose: we are not the audience of these tokens, the ChatGPT backend and the
 * token endpoint are, and they check it on every use. We only read our own tokens for bookkeeping (when to refresh,
 * which header to send); a forged claim could only misdirect the requests of whoever forged it.
 */
final class CodexTokens {

    /** Attribute names in the account store. */
    static final String ACCOUNT_ID = "chatgpt_account_id";
    static final String PLAN_TYPE = "chatgpt_plan_type";
    static final String EMAIL = "email";

    private static final String AUTH_CLAIM = "https://api.openai.com/auth";
    private static final String PROFILE_CLAIM = "https://api.openai.com/profile";

    private CodexTokens() {
    }

    /** Claims of one token; each empty when the token does not carry it. */
    record Claims(Optional<Instant> expiresAt, Optional<String> chatgptAccountId, Optional<String> chatgptPlanType,
                  Optional<String> email) {

        static final Claims NONE = new Claims(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        /** These claims, each missing one taken from {@code fallback}. */
        Claims or(Claims fallback) {
            return new Claims(expiresAt.or(fallback::expiresAt), chatgptAccountId.or(fallback::chatgptAccountId),
                    chatgptPlanType.or(fallback::chatgptPlanType), email.or(fallback::email));
        }

        /** The store attributes these claims give an account. */
        Map<String, String> attributes() {
            var attributes = new LinkedHashMap<String, String>();
            chatgptAccountId.ifPresent(value -> attributes.put(ACCOUNT_ID, value));
            chatgptPlanType.ifPresent(value -> attributes.put(PLAN_TYPE, value));
            email.ifPresent(value -> attributes.put(EMAIL, value));
            return attributes;
        }
    }

    /**
     * The claims of a JWT: its payload, the middle of {@code header.payload.signature}, is unpadded base64url JSON.
     * {@link Claims#NONE} when the text is not such a token (an opaque token, say): nothing we decide depends on a
     * token being a JWT, only on the claims we find.
     */
    static Claims claims(String jwt) {
        if (jwt == null) {
            return Claims.NONE;
        }
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            return Claims.NONE;
        }
        JsonNode payload;
        try {
            payload = ChatJson.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IllegalArgumentException | IOException e) {
            return Claims.NONE;
        }
        if (payload == null || !payload.isObject()) {
            return Claims.NONE;
        }
        JsonNode auth = payload.path(AUTH_CLAIM);
        return new Claims(expiry(payload.path("exp")), text(auth.path(ACCOUNT_ID)), text(auth.path(PLAN_TYPE)),
                text(payload.path(EMAIL)).or(() -> text(payload.path(PROFILE_CLAIM).path(EMAIL))));
    }

    /** {@code exp} is a NumericDate: seconds since the epoch, possibly with a fraction (RFC 7519 §2). */
    private static Optional<Instant> expiry(JsonNode exp) {
        return exp.isNumber() && exp.asLong() > 0 ? Optional.of(Instant.ofEpochSecond(exp.asLong())) : Optional.empty();
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? Optional.of(node.textValue()) : Optional.empty();
    }
}
