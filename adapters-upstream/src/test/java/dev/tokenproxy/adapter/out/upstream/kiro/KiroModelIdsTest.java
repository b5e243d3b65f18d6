package dev.tokenproxy.adapter.out.upstream.kiro;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KiroModelIdsTest {

    @ParameterizedTest
    @CsvSource({
            "claude-sonnet-4-5-20250929, claude-sonnet-4.5",
            "claude-opus-4-5, claude-opus-4.5",
            "claude-sonnet-4-20250514, claude-sonnet-4",
            "claude-haiku-4-5, claude-haiku-4.5",
            "auto, auto",
            "kiro-claude-sonnet-4-5, claude-sonnet-4.5",
            "amazonq-claude-sonnet-4-5-agentic, claude-sonnet-4.5",
            "claude-sonnet-4-5-20250929-chat, claude-sonnet-4.5",
            "claude-sonnet-4.5, claude-sonnet-4.5",
            "Claude-Opus-4-1, claude-opus-4.1"
    })
    void spellsAnthropicModelNamesTheWayKiroAcceptsThem(String anthropic, String kiro) {
        assertThat(KiroModelIds.kiroModelId(anthropic)).isEqualTo(kiro);
    }
}
