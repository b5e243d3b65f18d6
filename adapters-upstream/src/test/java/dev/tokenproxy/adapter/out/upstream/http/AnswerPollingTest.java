package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AnswerPollingTest {

    private static final Endpoint NEARBY = new Endpoint(false, "127.0.0.1", 8080);
    private static final Endpoint FAR = new Endpoint(true, "api.example.com", 443);
    private static final long QUICK = TimeUnit.MICROSECONDS.toNanos(30);
    private static final long SLOW = TimeUnit.MILLISECONDS.toNanos(40);

    private final AnswerPolling polling = new AnswerPolling();

    @Test
    void anEndpointNotHeardFromYetIsNotPolledFor() {
        assertThat(polling.windowFor(NEARBY, 1)).isZero();
    }

    @Test
    void aQuickEndpointIsPolledForWhenItsExchangeIsTheOnlyOne() {
        polling.answered(NEARBY, QUICK);

        assertThat(polling.windowFor(NEARBY, 1)).isEqualTo(AnswerPolling.WINDOW_NANOS);
        assertThat(polling.windowFor(NEARBY, 2)).as("under load the thread parks as before").isZero();
    }

    @Test
    void eachEndpointIsJudgedByItsOwnLastAnswer() {
        polling.answered(NEARBY, QUICK);
        polling.answered(FAR, SLOW);

        assertThat(polling.windowFor(NEARBY, 1)).isPositive();
        assertThat(polling.windowFor(FAR, 1)).isZero();
    }

    @Test
    void anEndpointThatSlowsDownStopsBeingPolledForAndStartsAgainWhenItIsQuick() {
        polling.answered(NEARBY, QUICK);
        polling.answered(NEARBY, SLOW);
        assertThat(polling.windowFor(NEARBY, 1)).isZero();

        polling.answered(NEARBY, QUICK);
        assertThat(polling.windowFor(NEARBY, 1)).isPositive();
    }

    @Test
    void aSlowEndpointIsProbedOnceAfterEveryFewSlowAnswers() {
        polling.answered(NEARBY, QUICK);
        for (int slow = 1; slow < AnswerPolling.PROBE_EVERY; slow++) {
            polling.answered(NEARBY, SLOW);
            assertThat(polling.windowFor(NEARBY, 1)).as("after slow answer %d", slow).isZero();
        }

        polling.answered(NEARBY, SLOW);
        assertThat(polling.windowFor(NEARBY, 1)).as("the probe").isEqualTo(AnswerPolling.WINDOW_NANOS);
        assertThat(polling.windowFor(NEARBY, 2)).as("not under load").isZero();

        polling.answered(NEARBY, SLOW);
        assertThat(polling.windowFor(NEARBY, 1)).as("a probe that found it slow").isZero();
    }
}
