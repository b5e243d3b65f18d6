package dev.tokenproxy.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.bootstrap.config.LogLevel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    @Test
    void aLogLevelOnTheCommandLineIsReadWithTheConfigFile() {
        assertThat(LaunchOptions.parse(List.of("--config", "gw.yaml", "--log-level", "DEBUG")))
                .isEqualTo(new LaunchOptions.Run(Optional.of("gw.yaml"), Optional.of(LogLevel.DEBUG)));
        assertThat(LaunchOptions.parse(List.of())).isEqualTo(new LaunchOptions.Run(Optional.empty(), Optional.empty()));
    }

    @Test
    void anUnknownLogLevelIsRefusedNamingTheChoices() {
        assertThat(LaunchOptions.parse(List.of("--log-level", "verbose")))
                .isEqualTo(new LaunchOptions.Invalid("--log-level must be one of error, warn, info, debug, got 'verbose'"));
        assertThat(LaunchOptions.parse(List.of("--log-level"))).isInstanceOf(LaunchOptions.Invalid.class);
    }

    @Test
    void theHelpNamesTheLogLevelOption() {
        assertThat(LaunchOptions.usage()).contains("--log-level");
    }
}
