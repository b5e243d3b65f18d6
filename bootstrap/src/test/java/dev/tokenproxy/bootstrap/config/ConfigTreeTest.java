package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The configuration's tree, read from the parser's tokens, is the tree Jackson's own {@code readTree} makes. */
class ConfigTreeTest {

    private static final String EVERY_KIND = """
            text: plain
            quoted: "with: colon"
            small: 42
            negative: -7
            large: 9000000000
            huge: 123456789012345678901234567890
            fraction: 0.25
            exponent: 1e3
            yes: true
            no: false
            nothing: ~
            empty: ""
            list: [1, two, { three: 3 }, [], {}]
            nested: { deeper: { deepest: [a, b] } }
            anchored: &shared { timeout: 30s }
            alias: *shared
            block: |
              two
              lines
            """;

    @Test
    void everyKindOfValueComesOutAsJacksonReadsIt() throws IOException {
        JsonNode expected = new ObjectMapper(new YAMLFactory()).readTree(EVERY_KIND);

        JsonNode tree = ConfigLoader.parse(stream(EVERY_KIND));

        assertThat(tree).isEqualTo(expected);
        assertThat(tree.get("small").isInt()).isTrue();
        assertThat(tree.get("large").isLong()).isTrue();
        assertThat(tree.get("huge").isBigInteger()).isTrue();
        assertThat(tree.get("fraction").isDouble()).isTrue();
    }

    @Test
    void anEmptyFileIsAnEmptyObject() throws IOException {
        assertThat(ConfigLoader.parse(stream("")).isObject()).isTrue();
        assertThat(ConfigLoader.parse(stream("# only a comment\n")).size()).isZero();
    }

    @Test
    void aKeyWrittenTwiceIsRefusedWithItsLine() {
        assertThatExceptionOfType(ConfigException.class)
                .isThrownBy(() -> ConfigLoader.parse(stream("listen: {}\nlog_level: info\nlog_level: debug\n")))
                .withMessageContaining("line 3")
                .withMessageContaining("log_level");
    }

    private static ByteArrayInputStream stream(String yaml) {
        return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
    }
}
