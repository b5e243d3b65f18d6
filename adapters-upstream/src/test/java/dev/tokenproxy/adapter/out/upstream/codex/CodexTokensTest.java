package dev.tokenproxy.adapter.out.upstream.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.testing.TestJwt;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CodexTokensTest {

    private static final Instant EXP = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void readsExpiryAccountIdPlanAndEmailFromAChatgptToken() {
        var claims = CodexTokens.claims(TestJwt.chatgpt("acct-1", "alice@example.com", "plus", EXP));

        assertThat(claims.expiresAt()).hasValue(EXP);
        assertThat(claims.chatgptAccountId()).hasValue("acct-1");
        assertThat(claims.chatgptPlanType()).hasValue("plus");
        assertThat(claims.email()).hasValue("alice@example.com");
        assertThat(claims.attributes()).containsExactly(Map.entry("chatgpt_account_id", "acct-1"),
                Map.entry("chatgpt_plan_type", "plus"), Map.entry("email", "alice@example.com"));
    }

    @Test
    void decodesAPayloadWhoseBase64NeedsPaddingButHasNone() {
        // Payload lengths 1, 2, 3 mod 3 give unpadded base64url of every remainder; each must decode.
        for (String pad : new String[] {"", "x", "xx"}) {
            var claims = CodexTokens.claims(TestJwt.of("{\"exp\":1764583200,\"p\":\"" + pad + "\"}"));
            assertThat(claims.expiresAt()).hasValue(Instant.ofEpochSecond(1_764_583_200L));
        }
    }

    @Test
    void readsUrlSafeCharactersThatPlainBase64WouldNot() {
        // "???" and ">>>" encode to '_' and '-' in base64url ('/' and '+' in plain base64).
        var claims = CodexTokens.claims(TestJwt.of("{\"email\":\"a???>>>@example.com\"}"));

        assertThat(claims.email()).hasValue("a???>>>@example.com");
    }

    @Test
    void takesTheEmailFromTheProfileClaimWhenThereIsNoTopLevelEmail() {
        var claims = CodexTokens.claims(TestJwt.of(
                "{\"https://api.openai.com/profile\":{\"email\":\"bob@example.com\"}}"));

        assertThat(claims.email()).hasValue("bob@example.com");
    }

    @Test
    void aTokenWithoutTheAuthClaimHasOnlyWhatItCarries() {
        var claims = CodexTokens.claims(TestJwt.of("{\"exp\":1764583200}"));

        assertThat(claims.expiresAt()).isPresent();
        assertThat(claims.chatgptAccountId()).isEmpty();
        assertThat(claims.attributes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "opaque-token", "a.b", "a..c", "a.!!!.c", "a.bm90IGpzb24.c", "a.WzFd.c", "a.b.c.d"})
    void somethingThatIsNotAReadableJwtHasNoClaims(String token) {
        assertThat(CodexTokens.claims(token)).isEqualTo(CodexTokens.Claims.NONE);
    }

    @Test
    void missingClaimsAreTakenFromTheFallback() {
        var idToken = CodexTokens.claims(TestJwt.chatgpt("acct-1", null, null, null));
        var accessToken = CodexTokens.claims(TestJwt.chatgpt("acct-other", "a@example.com", "pro", EXP));

        var merged = idToken.or(accessToken);

        assertThat(merged.chatgptAccountId()).hasValue("acct-1");
        assertThat(merged.email()).hasValue("a@example.com");
        assertThat(merged.chatgptPlanType()).hasValue("pro");
        assertThat(merged.expiresAt()).hasValue(EXP);
    }
}
