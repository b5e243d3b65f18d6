package dev.tokenproxy.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Hand-built JWTs for tests: {@code header.payload.signature}, each part unpadded base64url, with a signature nobody
 * can check (the gateway never checks one). Payloads are given as JSON, so a test can build any claim set, broken
 * ones included.
 */
public final class TestJwt {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

    private TestJwt() {
    }

    /** A JWT whose payload is exactly {@code payloadJson}. */
    public static String of(String payloadJson) {
        return part(HEADER) + "." + part(payloadJson) + "." + part("not-a-real-signature");
    }

    /**
     * A token shaped like a ChatGPT login's id token or access token: {@code exp}, {@code email} and the
     * {@code https://api.openai.com/auth} claim with {@code chatgpt_account_id} and {@code chatgpt_plan_type}. A null
     * argument leaves its claim out.
     */
    public static String chatgpt(String chatgptAccountId, String email, String planType, Instant expiresAt) {
        return of(chatgptPayload(chatgptAccountId, email, planType, expiresAt).toString());
    }

    /** The payload of {@link #chatgpt}, for a test that adds claims of its own. */
    public static ObjectNode chatgptPayload(String chatgptAccountId, String email, String planType,
                                            Instant expiresAt) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("iss", "https://auth.openai.com");
        if (expiresAt != null) {
            payload.put("exp", expiresAt.getEpochSecond());
        }
        if (email != null) {
            payload.put("email", email);
        }
        ObjectNode auth = payload.putObject("https://api.openai.com/auth");
        if (chatgptAccountId != null) {
            auth.put("chatgpt_account_id", chatgptAccountId);
        }
        if (planType != null) {
            auth.put("chatgpt_plan_type", planType);
        }
        return payload;
    }

    private static String part(String json) {
        return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
