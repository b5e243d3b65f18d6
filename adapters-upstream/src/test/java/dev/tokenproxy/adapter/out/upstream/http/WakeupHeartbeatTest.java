package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WakeupHeartbeatTest {

    @TempDir
    Path folder;

    @Test
    void aBeatAsLateAsTheLimitIsOnTimeAndOneLaterIsNot() {
        var heartbeat = new WakeupHeartbeat();
        heartbeat.beat(1_000);

        assertThat(heartbeat.onTime(1_000 + WakeupHeartbeat.LATE_NANOS)).isTrue();
        assertThat(heartbeat.onTime(1_000 + WakeupHeartbeat.LATE_NANOS + 1)).isFalse();

        heartbeat.beat(5_000_000_000L);
        assertThat(heartbeat.onTime(5_000_000_001L)).isTrue();
    }

    /**
     * The JDK's scheduler with one carrier, as a gateway pinned to one core has it: threads that yield whenever the
     * heartbeat is on time, and park (as a read does) when it is not, must still let a thread woken from outside the
     * carriers run within a fraction of a second. With every thread yielding regardless, JDK 25 never runs that thread
     * again while they yield (benchmark.md, fourteenth pass), and this test would time out.
     */
    @Test
    void threadsWokenFromOutsideStillRunWhileRequestsYieldOnOneCarrier() throws Exception {
        var command = new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "-cp", classFolderOf(WakeupHeartbeat.class) + java.io.File.pathSeparator
                        + classFolderOf(YieldingRequests.class),
                YieldingRequests.class.getName()};
        Path log = folder.resolve("yielding-requests.log");
        var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log).strip();

        assertThat(ended).as("the woken thread ran to its end; output: %s", output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        long worstLateMillis = Long.parseLong(output.substring(output.lastIndexOf(' ') + 1));
        assertThat(worstLateMillis).as(output).isLessThan(1_000);
    }

    private static String classFolderOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
