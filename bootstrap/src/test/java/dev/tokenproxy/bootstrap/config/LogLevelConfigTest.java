package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogLevelConfigTest {

    @TempDir
    Path folder;

    @Test
    void theLogLevelIsInfoByDefaultAndCanBeChosen() {
        var files = new ConfigFiles(folder, Map.of());

        assertThat(files.load("upstreams: []\n").logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(files.load("log_level: warn\n").logLevel()).isEqualTo(LogLevel.WARN);
        assertThatThrownBy(() -> files.load("log_level: loud\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("log_level: ").hasMessageContaining("error, warn, info, debug");
    }

    @Test
    void logLinesAreTextByDefaultAndJsonWhenAsked() {
        var files = new ConfigFiles(folder, Map.of());

        assertThat(files.load("upstreams: []\n").jsonLogs()).isFalse();
        assertThat(files.load("log_format: json\n").jsonLogs()).isTrue();
        assertThatThrownBy(() -> files.load("log_format: xml\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("log_format: ").hasMessageContaining("text, json");
    }
}
