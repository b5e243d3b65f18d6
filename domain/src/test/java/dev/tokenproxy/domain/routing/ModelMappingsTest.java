package dev.tokenproxy.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour §4.1: model mappings rename only; exact &gt; longest {@code prefix*} &gt; {@code *}. */
class ModelMappingsTest {

    @Test
    void anExactKeyBeatsAMatchingPrefix() {
        var mappings = new ModelMappings(Map.of("gpt-4o*", "prefix-target", "gpt-4o", "exact-target"));

        assertThat(mappings.map("gpt-4o")).isEqualTo("exact-target");
        assertThat(mappings.map("gpt-4o-mini")).isEqualTo("prefix-target");
    }

    @Test
    void anExactKeyBeatsTheCatchAll() {
        var mappings = new ModelMappings(Map.of("*", "fallback", "claude-3", "exact-target"));

        assertThat(mappings.map("claude-3")).isEqualTo("exact-target");
    }

    @Test
    void theLongestMatchingPrefixWinsWhateverTheKeyOrder() {
        var shortFirst = new LinkedHashMap<String, String>();
        shortFirst.put("gpt-*", "short");
        shortFirst.put("gpt-4*", "long");
        var longFirst = new LinkedHashMap<String, String>();
        longFirst.put("gpt-4*", "long");
        longFirst.put("gpt-*", "short");

        assertThat(new ModelMappings(shortFirst).map("gpt-4.1")).isEqualTo("long");
        assertThat(new ModelMappings(longFirst).map("gpt-4.1")).isEqualTo("long");
        assertThat(new ModelMappings(longFirst).map("gpt-3.5-turbo")).isEqualTo("short");
    }

    @Test
    void aPrefixKeyAlsoMatchesTheBarePrefix() {
        assertThat(new ModelMappings(Map.of("o3*", "o3-pro")).map("o3")).isEqualTo("o3-pro");
    }

    @Test
    void theStarKeyCatchesEverythingNoOtherKeyMatches() {
        var mappings = new ModelMappings(Map.of("*", "fallback", "gpt-*", "gpt"));

        assertThat(mappings.map("llama-3")).isEqualTo("fallback");
        assertThat(mappings.map("gpt-5")).isEqualTo("gpt");
    }

    @Test
    void withoutAMatchTheRequestedNameIsSentUnchanged() {
        var mappings = new ModelMappings(Map.of("gpt-*", "gpt", "claude-3", "claude"));

        assertThat(mappings.map("gemini-2.5-pro")).isEqualTo("gemini-2.5-pro");
        assertThat(mappings.find("gemini-2.5-pro")).isEmpty();
    }

    @Test
    void matchingIsCaseSensitive() {
        assertThat(new ModelMappings(Map.of("gpt-*", "gpt")).map("GPT-4")).isEqualTo("GPT-4");
    }

    @Test
    void noMappingsRenameNothing() {
        assertThat(ModelMappings.NONE.map("anything")).isEqualTo("anything");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a*b", "*a", "**", "gpt-*-mini", ""})
    void aKeyThatIsEmptyOrHasAStarOtherThanAtTheEndIsRejected(String key) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelMappings(Map.of(key, "target")));
    }

    @Test
    void anEmptyTargetIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelMappings(Map.of("gpt-4", "")));
    }

    @Test
    void concreteNamesListOnlyKeysWithoutAWildcard() {
        var mappings = new ModelMappings(Map.of("gpt-4", "a", "gpt-*", "b", "*", "c", "claude", "d"));

        assertThat(mappings.concreteNames()).containsExactlyInAnyOrder("gpt-4", "claude");
    }

    @Test
    void targetsAreTheDistinctRenamedNames() {
        var mappings = new ModelMappings(Map.of("gpt-4", "a", "gpt-*", "a", "*", "c"));

        assertThat(mappings.targets()).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void mappingsKeepTheirOwnCopy() {
        var source = new HashMap<String, String>();
        source.put("gpt-4", "first");
        var mappings = new ModelMappings(source);

        source.put("gpt-4", "changed");

        assertThat(mappings.map("gpt-4")).isEqualTo("first");
    }
}
