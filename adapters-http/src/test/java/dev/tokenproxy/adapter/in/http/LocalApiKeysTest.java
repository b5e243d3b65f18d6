package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.RunningGateway.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour §8: which presented keys admit a client, and with which scope. */
class LocalApiKeysTest {

    private static final String KEY = "tp-3f9c2a7e51";
    private final LocalApiKeys keys = new LocalApiKeys(List.of(key("laptop", KEY), key("ci", "tp-ci-key", "openai-main")));

    private static WritableHeaders<?> authorization(String value) {
        return WritableHeaders.create().add(HeaderNames.AUTHORIZATION, value);
    }

    private static WritableHeaders<?> xApiKey(String value) {
        return WritableHeaders.create().add(LocalApiKeys.X_API_KEY, value);
    }

    @Test
    void theCorrectBearerKeyIsAccepted() {
        assertThat(keys.authenticate(authorization("Bearer " + KEY))).hasValueSatisfying(
                k -> assertThat(k.name()).isEqualTo("laptop"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr "})
    void theBearerSchemeIsCaseInsensitive(String scheme) {
        assertThat(keys.authenticate(authorization(scheme + KEY))).isPresent();
    }

    @Test
    void theCorrectXApiKeyIsAccepted() {
        assertThat(keys.authenticate(xApiKey(KEY))).hasValueSatisfying(k -> assertThat(k.name()).isEqualTo("laptop"));
    }

    @Test
    void theScopeOfTheMatchingKeyIsReturned() {
        assertThat(keys.authenticate(xApiKey("tp-ci-key"))).hasValueSatisfying(
                k -> assertThat(k.upstreams()).containsExactly("openai-main"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "tp-3f9c2a7e52", // same length, last character differs
            "Tp-3f9c2a7e51", // same length, case differs
            "tp-3f9c2a7e5",  // a prefix of the key
            "tp-3f9c2a7e511", // the key plus one character
            "tp",
    })
    void aKeyThatIsNotExactlyRightIsRefused(String presented) {
        assertThat(keys.authenticate(authorization("Bearer " + presented))).isEmpty();
        assertThat(keys.authenticate(xApiKey(presented))).isEmpty();
    }

    @Test
    void anEmptyKeyIsRefused() {
        assertThat(keys.authenticate(authorization("Bearer "))).isEmpty();
        assertThat(keys.authenticate(xApiKey(""))).isEmpty();
    }

    @Test
    void noCredentialHeaderIsRefused() {
        assertThat(keys.authenticate(WritableHeaders.create())).isEmpty();
    }

    @Test
    void aKeyUnderAnotherSchemeIsRefused() {
        assertThat(keys.authenticate(authorization("Basic " + KEY))).isEmpty();
        assertThat(keys.authenticate(authorization(KEY))).isEmpty();
    }

    @Test
    void withoutConfiguredKeysEveryoneIsAdmittedToEveryUpstream() {
        var open = new LocalApiKeys(List.of());

        assertThat(open.authenticate(WritableHeaders.create())).hasValueSatisfying(
                k -> assertThat(k.upstreams()).containsExactly("*"));
        assertThat(open.authenticate(authorization("Bearer anything"))).isPresent();
    }
}
