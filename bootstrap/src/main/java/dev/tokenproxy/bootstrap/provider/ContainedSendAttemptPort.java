package dev.tokenproxy.bootstrap.provider;

import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a provider's failures to its own attempts: an exception thrown by its port, or no outcome at all, becomes a
 * retryable failure of that attempt (classified like a response that broke the protocol: 502, the credential cools,
 * no resend in place), so the failover loop moves on and the gateway goes on serving. A stream the port handed over
 * that throws later ends as broken after output. Every provider's port is wrapped, built-ins too: it costs one
 * {@code try} per attempt.
 *
 * <p>What is caught: every {@link Exception} (a plug-in may throw checked ones through a lambda), {@link LinkageError}
 * (a plug-in built against classes the gateway does not have), {@link StackOverflowError} (a runaway recursion, which
 * unwinds cleanly) and {@link AssertionError}. Not caught: {@link OutOfMemoryError} and other
 * {@link VirtualMachineError}s, after which nothing in the process can be trusted to work; they end the request as any
 * such error would.
 *
 * <p>The first failure of each provider is logged at WARNING with the exception's type and the frame that threw, but
 * not its message, which could quote a header or a key; later ones at DEBUG, so a provider failing every request
 * cannot flood the log.
 */
public final class ContainedSendAttemptPort implements SendAttemptPort {

    private static final System.Logger LOG = System.getLogger(ContainedSendAttemptPort.class.getName());
    /** How a contained failure is classified: as a response that broke the protocol (behaviour §2). */
    private static final ClassificationTable TABLE = ClassificationTable.defaults();

    private final SendAttemptPort port;
    private final ProviderDescriptor descriptor;
    private final String origin;
    private final AtomicBoolean logged = new AtomicBoolean();

    /**
     * @param descriptor what the provider declared, answered without asking the port again
     * @param origin     where the provider came from, for the log line
     */
    public ContainedSendAttemptPort(SendAttemptPort port, ProviderDescriptor descriptor, String origin) {
        this.port = Objects.requireNonNull(port, "port");
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    @Override
    public ProviderDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        AttemptOutcome<UpstreamReply> outcome;
        try {
            outcome = port.send(request);
        } catch (Exception | LinkageError | StackOverflowError | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            report(request, "threw " + summary(e));
            return failed();
        }
        if (outcome == null) {
            report(request, "returned no outcome (null)");
            return failed();
        }
        if (outcome instanceof AttemptOutcome.Success<UpstreamReply> success
                && success.response() instanceof UpstreamReply.Streaming streaming) {
            return new AttemptOutcome.Success<>(success.status(), new UpstreamReply.Streaming(streaming.status(),
                    streaming.headers(), new ContainedStream(streaming.stream(), request)), success.usage());
        }
        return outcome;
    }

    private AttemptOutcome<UpstreamReply> failed() {
        return TABLE.outcome(AttemptSignal.fault(descriptor.name(), Fault.PROTOCOL_VIOLATION), null);
    }

    private void report(AttemptRequest request, String what) {
        boolean first = logged.compareAndSet(false, true);
        LOG.log(first ? Level.WARNING : Level.DEBUG, "provider '" + descriptor.name() + "' (" + origin + ") " + what
                + " on an attempt to upstream '" + request.upstream().id() + "'; the attempt counts as failed and the "
                + "next candidate is tried" + (first ? " (later failures of this provider are logged at DEBUG)" : ""));
    }

    /** {@code java.lang.IllegalStateException at com.example.EchoPort.send(EchoPort.java:42)}: no message. */
    private static String summary(Throwable e) {
        var frames = e.getStackTrace();
        return e.getClass().getName() + (frames.length == 0 ? "" : " at " + frames[0]);
    }

    /** A committed stream whose provider code may still throw: an exception ends it as broken after output. */
    private final class ContainedStream implements ReplyStream {

        private final ReplyStream stream;
        private final AttemptRequest request;
        private volatile Optional<AttemptSignal> broken = Optional.empty();

        ContainedStream(ReplyStream stream, AttemptRequest request) {
            this.stream = stream;
            this.request = request;
        }

        @Override
        public byte[] next() {
            if (broken.isPresent()) {
                return null;
            }
            try {
                return stream.next();
            } catch (Exception | LinkageError | StackOverflowError | AssertionError e) {
                report(request, "threw " + summary(e) + " while streaming");
                broken = Optional.of(AttemptSignal.fault(descriptor.name(), Fault.CONNECTION_RESET));
                closeQuietly();
                return null;
            }
        }

        @Override
        public Optional<AttemptSignal> brokenAfterOutput() {
            if (broken.isPresent()) {
                return broken;
            }
            try {
                return stream.brokenAfterOutput();
            } catch (Exception | LinkageError | StackOverflowError | AssertionError e) {
                return Optional.of(AttemptSignal.fault(descriptor.name(), Fault.CONNECTION_RESET));
            }
        }

        @Override
        public TokenUsage usage() {
            try {
                return Objects.requireNonNullElse(stream.usage(), TokenUsage.NONE);
            } catch (Exception | LinkageError | StackOverflowError | AssertionError e) {
                return TokenUsage.NONE;
            }
        }

        @Override
        public void close() {
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                stream.close();
            } catch (Exception | LinkageError | StackOverflowError | AssertionError e) {
                report(request, "threw " + summary(e) + " while closing a stream");
            }
        }
    }
}
