package dev.tokenproxy.bootstrap.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.CooldownRule;
import dev.tokenproxy.domain.attempt.RetryReason;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContainedSendAttemptPortTest {

    private static final ProviderDescriptor ECHO = ProviderDescriptor.nativeOnly("echo", InboundFormat.CHAT);
    private static final Upstream UPSTREAM = Upstream.withApiKeys("echo-1", "echo", URI.create("http://127.0.0.1:1"),
            List.of(new Secret("sk-never-logged")));
    private static final AttemptRequest REQUEST = new AttemptRequest(UPSTREAM, UPSTREAM.apiKeyCredentials().get(0),
            InboundFormat.CHAT, "m", "m", "{}".getBytes(StandardCharsets.UTF_8), false, AttemptTimeouts.DEFAULTS,
            Instant.parse("2030-01-01T00:00:00Z"));

    /** A port that does {@code what} on every attempt. */
    private static ContainedSendAttemptPort contained(Supplier<AttemptOutcome<UpstreamReply>> what) {
        return new ContainedSendAttemptPort(new SendAttemptPort() {
            @Override
            public ProviderDescriptor descriptor() {
                return ECHO;
            }

            @Override
            public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
                return what.get();
            }
        }, ECHO, "plug-in jar echo.jar");
    }

    static Stream<Throwable> containedFailures() {
        return Stream.of(new IllegalStateException("sk-never-logged"), new NullPointerException(),
                new StackOverflowError(), new NoClassDefFoundError("com/example/Gone"), new AbstractMethodError(),
                new ExceptionInInitializerError("static init"), new AssertionError("bug"));
    }

    @ParameterizedTest
    @MethodSource("containedFailures")
    void aThrowingProviderMakesItsAttemptARetryableFailureThatNeitherResendsNorEscapes(Throwable failure) {
        var outcome = contained(() -> {
            throw sneaky(failure);
        }).send(REQUEST);

        assertThat(outcome).isEqualTo(new AttemptOutcome.Retryable<UpstreamReply>(RetryReason.BAD_RESPONSE, 502, null,
                CooldownRule.TRANSIENT));
    }

    @Test
    void aCheckedExceptionThrownThroughTheCompilerIsContainedToo() {
        var outcome = contained(() -> {
            throw sneaky(new java.io.IOException("socket"));
        }).send(REQUEST);

        assertThat(outcome).isInstanceOf(AttemptOutcome.Retryable.class);
    }

    @Test
    void noOutcomeAtAllIsARetryableFailure() {
        assertThat(contained(() -> null).send(REQUEST)).isInstanceOfSatisfying(AttemptOutcome.Retryable.class,
                failed -> assertThat(failed.reason()).isEqualTo(RetryReason.BAD_RESPONSE));
    }

    @Test
    void runningOutOfMemoryIsNotContainedBecauseNothingCouldBeTrustedAfterIt() {
        var port = contained(() -> {
            throw new OutOfMemoryError("Java heap space");
        });

        assertThatExceptionOfType(OutOfMemoryError.class).isThrownBy(() -> port.send(REQUEST));
    }

    @Test
    void whatAWorkingProviderAnswersPassesThroughUnchanged() {
        var reply = new UpstreamReply.Buffered(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
        AttemptOutcome<UpstreamReply> answer = new AttemptOutcome.Success<>(200, reply);

        assertThat(contained(() -> answer).send(REQUEST)).isSameAs(answer);
        assertThat(contained(() -> answer).descriptor()).isEqualTo(ECHO);
    }

    @Test
    void aStreamThatThrowsAfterItsFirstOutputEndsAsBrokenAfterOutput() {
        var chunks = List.of("data: one\n\n".getBytes(StandardCharsets.UTF_8)).iterator();
        var closed = new boolean[1];
        ReplyStream stream = new ReplyStream() {
            @Override
            public byte[] next() {
                if (chunks.hasNext()) {
                    return chunks.next();
                }
                throw new IllegalStateException("parser bug");
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        var outcome = contained(() -> new AttemptOutcome.Success<>(200,
                new UpstreamReply.Streaming(200, Map.of(), stream))).send(REQUEST);

        var delivered = ((UpstreamReply.Streaming) ((AttemptOutcome.Success<UpstreamReply>) outcome).response()).stream();
        assertThat(new String(delivered.next(), StandardCharsets.UTF_8)).isEqualTo("data: one\n\n");
        assertThat(delivered.next()).isNull();
        assertThat(delivered.brokenAfterOutput()).hasValueSatisfying(
                signal -> assertThat(signal.fault()).isEqualTo(Fault.CONNECTION_RESET));
        assertThat(closed[0]).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable failure) throws T {
        throw (T) failure;
    }
}
