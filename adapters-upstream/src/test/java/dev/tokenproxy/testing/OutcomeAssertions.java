package dev.tokenproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Retryable;
import dev.tokenproxy.domain.attempt.AttemptOutcome.Success;
import dev.tokenproxy.domain.attempt.RetryReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What adapter tests assert on an attempt's outcome, and how they read a committed stream to its end. */
public final class OutcomeAssertions {

    /** Long enough for any loopback exchange; a hang fails the test instead of the build. */
    private static final Duration STREAM_BOUND = Duration.ofSeconds(10);

    private OutcomeAssertions() {
    }

    /** The outcome is a {@code Success} with a buffered reply; returns the reply. */
    public static UpstreamReply.Buffered buffered(AttemptOutcome<UpstreamReply> outcome) {
        assertThat(outcome).isInstanceOf(Success.class);
        assertThat(((Success<UpstreamReply>) outcome).response()).isInstanceOf(UpstreamReply.Buffered.class);
        return (UpstreamReply.Buffered) ((Success<UpstreamReply>) outcome).response();
    }

    /** The outcome is a {@code Success} with a committed stream; returns the reply. */
    public static UpstreamReply.Streaming streaming(AttemptOutcome<UpstreamReply> outcome) {
        assertThat(outcome).isInstanceOf(Success.class);
        assertThat(((Success<UpstreamReply>) outcome).response()).isInstanceOf(UpstreamReply.Streaming.class);
        return (UpstreamReply.Streaming) ((Success<UpstreamReply>) outcome).response();
    }

    /** The outcome is {@code Retryable} for {@code reason}; returns it for the status and cooldown. */
    public static Retryable<UpstreamReply> assertRetryable(AttemptOutcome<UpstreamReply> outcome, RetryReason reason) {
        assertThat(outcome).isInstanceOf(Retryable.class);
        var retry = (Retryable<UpstreamReply>) outcome;
        assertThat(retry.reason()).isEqualTo(reason);
        return retry;
    }

    /** Every frame of {@code stream} as UTF-8 text, until it ends; then it is closed. */
    public static List<String> drain(ReplyStream stream) {
        return assertTimeoutPreemptively(STREAM_BOUND, () -> {
            var frames = new ArrayList<String>();
            try (stream) {
                byte[] frame;
                while ((frame = stream.next()) != null) {
                    frames.add(new String(frame, StandardCharsets.UTF_8));
                }
            }
            return frames;
        });
    }
}
