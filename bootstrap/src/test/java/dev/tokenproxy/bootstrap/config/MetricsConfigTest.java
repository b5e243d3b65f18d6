package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsConfigTest {

    @TempDir
    Path folder;

    @Test
    void metricsAreOnByDefaultAndCanBeSwitchedOff() {
        var files = new ConfigFiles(folder, Map.of());

        assertThat(files.load("upstreams: []\n").metrics().enabled()).isTrue();
        assertThat(files.load("metrics: { enabled: false }\n").metrics().enabled()).isFalse();
        assertThatThrownBy(() -> files.load("metrics: { enabled: true, port: 9100 }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics");
    }
}
