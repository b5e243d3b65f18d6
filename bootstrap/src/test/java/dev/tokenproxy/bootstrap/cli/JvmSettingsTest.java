package dev.tokenproxy.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JvmSettingsTest {

    private static final long SIX_GIB = 6L << 30;

    @Test
    void aPlainJavaJarIsToldWhichFileItMissesAndHowLargeTheHeapMayGrow() {
        assertThat(JvmSettings.missingSettingsWarning(false, List.of(), SIX_GIB)).hasValueSatisfying(warning ->
                assertThat(warning).contains("java @token-proxy.jvm -jar token-proxy.jar").contains("6144 MiB"));
    }

    @Test
    void theSettingsFileSilencesIt() {
        assertThat(JvmSettings.missingSettingsWarning(true, List.of(), SIX_GIB)).isEmpty();
    }

    @Test
    void aHeapChosenOnTheCommandLineIsTheOperatorsChoice() {
        for (String heap : List.of("-Xmx512m", "-XX:MaxHeapSize=1g", "-XX:MaxRAMPercentage=50")) {
            assertThat(JvmSettings.missingSettingsWarning(false, List.of("-Dx=y", heap), SIX_GIB)).as(heap).isEmpty();
        }
    }

    @Test
    void otherJvmOptionsDoNotCount() {
        assertThat(JvmSettings.missingSettingsWarning(false, List.of("-Xms1g", "-XX:+UseG1GC"), SIX_GIB)).isPresent();
    }
}
