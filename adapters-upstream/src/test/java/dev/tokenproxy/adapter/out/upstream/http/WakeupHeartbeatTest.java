package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.port.out.CarrierTurns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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

    @Test
    void aRestingBeatStartsWithARequestThatReadsAtOnceAndALateOneMakesRequestsStepAside() {
        try (var heartbeat = new WakeupHeartbeat()) {
            assertThat(heartbeat.turn()).isEqualTo(WakeupHeartbeat.Turn.READ);
            assertThat(heartbeat.turnAt(System.nanoTime())).isEqualTo(WakeupHeartbeat.Turn.YIELD);
            assertThat(heartbeat.turnAt(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)))
                    .isEqualTo(WakeupHeartbeat.Turn.STEP_ASIDE);
        }
    }

    /**
     * Between requests a connection steps aside only when its last request did not already step aside for an
     * upstream's answer: at both points, a saturated core's requests went through twice as many drains.
     */
    @Test
    void betweenRequestsOnlyAConnectionWhoseRequestTookNoTurnForAnAnswerStepsAside() {
        try (var heartbeat = new WakeupHeartbeat()) {
            heartbeat.turn();
            long late = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);

            assertThat(heartbeat.stepsAsideBetweenRequestsAt(late)).as("a request answered by the gateway").isTrue();
            heartbeat.beforeAnswer();
            assertThat(heartbeat.stepsAsideBetweenRequestsAt(late)).as("a request that read an answer").isFalse();
            assertThat(heartbeat.stepsAsideBetweenRequestsAt(late)).as("the next one, answered by the gateway")
                    .isTrue();
            assertThat(heartbeat.stepsAsideBetweenRequestsAt(System.nanoTime())).as("a beat on time").isFalse();
        }
    }

    /**
     * The JDK's scheduler with one carrier, as a gateway pinned to one core has it, under a steady load of requests
     * over sockets that take the heartbeat's turn before they read: a thread woken from outside (here by the timer)
     * must still run within a fraction of a second. When late beats do not make requests step aside, JDK 25 never
     * runs that thread again while the load lasts (benchmark.md, fifteenth pass), and this test times out; so it does
     * when requests yield regardless.
     */
    @Test
    void threadsWokenFromOutsideStillRunUnderSocketLoadOnOneCarrier() throws Exception {
        assertWokenThreadRunsUnderLoad("-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1", "-Djdk.readPollers=1");
    }

    /**
     * The same with two carriers and two read pollers, as a two-core machine has them: once every carrier runs a
     * poller's traffic, none is left for the threads woken from outside, and without stepping aside this times out
     * too. A second carrier helps only where it has no poller of its own (one core: the JDK makes one).
     */
    @Test
    void threadsWokenFromOutsideStillRunWhenEveryCarrierIsBusy() throws Exception {
        assertWokenThreadRunsUnderLoad("-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2", "-Djdk.readPollers=2");
    }

    private void assertWokenThreadRunsUnderLoad(String... schedulerOptions) throws Exception {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(schedulerOptions));
        command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classFolderOf(WakeupHeartbeat.class),
                classFolderOf(CarrierTurns.class), classFolderOf(RequestsUnderSocketLoad.class)),
                RequestsUnderSocketLoad.class.getName()));
        Path log = folder.resolve("requests-under-load.log");
        var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log).strip();

        assertThat(ended).as("the sleeping thread woke twenty times; output: %s", output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        var figures = Pattern.compile("round trips while asleep (\\d+), worst wake-up late by ms (\\d+)")
                .matcher(output);
        assertThat(figures.find()).as(output).isTrue();
        assertThat(Long.parseLong(figures.group(1))).as("the load went on while it slept: %s", output)
                .isGreaterThan(1_000);
        assertThat(Long.parseLong(figures.group(2))).as(output).isLessThan(1_000);
    }

    private static String classFolderOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
