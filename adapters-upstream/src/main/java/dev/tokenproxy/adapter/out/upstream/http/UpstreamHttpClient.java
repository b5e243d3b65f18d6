package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.out.CarrierTurns;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.domain.classify.Fault;
import java.io.IOException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/1.1 client every upstream adapter sends through: one keep-alive pool shared by all upstreams, TCP_NODELAY
 * (stream chunks are small and latency-bound), no redirects, certificates verified with hostname checks, and a
 * watchdog that enforces the connect, first-output, idle and deadline limits of each exchange. Thread-safe.
 *
 * <p>The protocol is our own code ({@link RequestHead}, {@link ResponseHead}, {@link ResponseBody}) rather than
 * Helidon's client: the gateway sends one kind of request (a whole body of known length) and needs every byte of the
 * answer where it can see it — where a response ends, what follows it on the connection, when the pool may take the
 * connection back. Helidon's client built a URI, a header map, a service chain and a buffer copy per request around
 * that, a tenth of a small request's CPU (see docs/benchmark.md, eighth pass).
 */
public final class UpstreamHttpClient implements AutoCloseable {

    /** Socket read timeout beyond the deadline: only a backstop in case the watchdog itself could not run. */
    private static final Duration READ_TIMEOUT_BACKSTOP = Duration.ofSeconds(5);
    /** The default of {@code limits.max_upstream_body_bytes}. */
    public static final long DEFAULT_MAX_BUFFERED_BODY_BYTES = 16L * 1024 * 1024;

    /**
     * The one client the gateway shares between the built-in providers, from their {@link ProviderContext}: a
     * provider building its own would open a second pool and escape the in-flight budget.
     */
    public static UpstreamHttpClient sharedBy(ProviderContext context) {
        return context.shared(UpstreamHttpClient.class).orElseThrow(() -> new IllegalStateException(
                "the gateway shares no UpstreamHttpClient with its providers"));
    }

    private final long maxBufferedBodyBytes;
    private final InFlightBytes budget;
    private final ConnectionPool pool;
    private final Watchdog watchdog = new Watchdog();
    private final AnswerPolling polling = new AnswerPolling();
    private final CarrierTurns turns;
    /** The heartbeat this client made for itself, which it closes with it; null when {@link #turns} is shared. */
    private final WakeupHeartbeat ownHeartbeat;

    /** Trusts the JDK's default trust store; buffers bodies up to {@link #DEFAULT_MAX_BUFFERED_BODY_BYTES}. */
    public UpstreamHttpClient() {
        this(Optional.empty(), DEFAULT_MAX_BUFFERED_BODY_BYTES, InFlightBytes.unlimited());
    }

    /** @param sslContext the trust to use instead of the JDK default; hostnames are still verified */
    public UpstreamHttpClient(Optional<SSLContext> sslContext) {
        this(sslContext, DEFAULT_MAX_BUFFERED_BODY_BYTES, InFlightBytes.unlimited());
    }

    /**
     * @param sslContext           the trust to use instead of the JDK default (e.g. a private CA); hostnames are
     *                             still verified
     * @param maxBufferedBodyBytes the largest response body {@link UpstreamExchange#readBody()} accepts
     * @param budget               the gateway's budget of bytes in flight, which buffered bodies draw on
     */
    public UpstreamHttpClient(Optional<SSLContext> sslContext, long maxBufferedBodyBytes, InFlightBytes budget) {
        this(sslContext, maxBufferedBodyBytes, budget, null, new WakeupHeartbeat());
    }

    /**
     * As {@link #UpstreamHttpClient(Optional, long, InFlightBytes)}, taking {@code turns} before each answer: the
     * gateway's one {@link WakeupHeartbeat}, shared with its inbound connections (ADR 0023); its owner closes it.
     */
    public UpstreamHttpClient(Optional<SSLContext> sslContext, long maxBufferedBodyBytes, InFlightBytes budget,
                              CarrierTurns turns) {
        this(sslContext, maxBufferedBodyBytes, budget, java.util.Objects.requireNonNull(turns, "turns"), null);
    }

    /** Exactly one of {@code sharedTurns} and {@code ownHeartbeat} is given. */
    private UpstreamHttpClient(Optional<SSLContext> sslContext, long maxBufferedBodyBytes, InFlightBytes budget,
                               CarrierTurns sharedTurns, WakeupHeartbeat ownHeartbeat) {
        if (maxBufferedBodyBytes < 1) {
            throw new IllegalArgumentException("maxBufferedBodyBytes must be positive");
        }
        this.maxBufferedBodyBytes = maxBufferedBodyBytes;
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
        this.pool = new ConnectionPool(sslContext.orElseGet(UpstreamHttpClient::jdkDefaultContext));
        this.turns = ownHeartbeat != null ? ownHeartbeat : sharedTurns;
        this.ownHeartbeat = ownHeartbeat;
    }

    /**
     * Sends a POST and waits for the final response headers, within the connect and first-output limits.
     * The caller must read the returned exchange to its end or close it.
     *
     * @param headers the complete request headers (Host and Content-Length are added)
     */
    public UpstreamExchange post(URI uri, Map<String, String> headers, byte[] body, ExchangeLimits limits)
            throws TransportFailure {
        return exchange("POST", uri, headers, BodyBytes.of(body), limits);
    }

    /**
     * {@link #post(URI, Map, byte[], ExchangeLimits)} for a body that may be the start of a longer array (a client's
     * prompt as the attempt carries it): only its own bytes are sent, and nothing keeps it once this returns.
     */
    public UpstreamExchange post(URI uri, Map<String, String> headers, BodyBytes body, ExchangeLimits limits)
            throws TransportFailure {
        return exchange("POST", uri, headers, body, limits);
    }

    /**
     * Sends a GET (no body) and waits for the final response headers, under the same limits and pool as
     * {@link #post}. The caller must read the returned exchange to its end or close it.
     *
     * @param headers the complete request headers (Host is added)
     */
    public UpstreamExchange get(URI uri, Map<String, String> headers, ExchangeLimits limits) throws TransportFailure {
        return exchange("GET", uri, headers, null, limits);
    }

    private UpstreamExchange exchange(String method, URI uri, Map<String, String> headers, BodyBytes body,
                                      ExchangeLimits limits) throws TransportFailure {
        Endpoint endpoint = Endpoint.of(uri);
        // Before any connection is touched: a field the grammar does not allow is refused, not sent.
        byte[] head = RequestHead.encode(method, uri, endpoint, headers, body == null ? -1 : body.length());
        try {
            return send(endpoint, head, body, limits, false);
        } catch (StaleConnection stale) {
            // A pooled connection the server closed just before we used it: the request never reached the
            // server's application, so one resend on a new connection is safe (browsers and OkHttp do the same).
            try {
                return send(endpoint, head, body, limits, true);
            } catch (StaleConnection impossible) {
                throw impossible.failure;
            }
        }
    }

    /** @param body null for a request without a body */
    private UpstreamExchange send(Endpoint endpoint, byte[] head, BodyBytes body, ExchangeLimits limits,
                                  boolean freshConnection) throws TransportFailure, StaleConnection {
        Watch watch = watchdog.start(limits);
        PooledConnection pooled = null;
        try {
            pooled = pool.lease(endpoint, limits.connect(), watch, freshConnection);
            if (watch.ending() != null) {
                throw new IllegalStateException("aborted while connecting");
            }
            watch.connected();
            ChannelConnection connection = pooled.connection();
            connection.readTimeout(limits.untilDeadline().plus(READ_TIMEOUT_BACKSTOP));
            // The first-output clock starts once our own preparation is done: it measures the upstream.
            watch.requestSending();
            connection.send(head, body);
            long sent = System.nanoTime();
            long window = polling.windowFor(endpoint, watchdog.activeExchanges());
            if (window == 0) {
                // Under load (or a far upstream): let the other requests' work run first (ADR 0016).
                turns.beforeAnswer();
            }
            connection.awaitAnswer(window);
            ResponseHead response = ResponseHead.read(connection.input());
            polling.answered(endpoint, System.nanoTime() - sent);
            watch.responseStarted();
            return new UpstreamExchange(response, pooled, watch, maxBufferedBodyBytes, budget);
        } catch (IOException | RuntimeException e) {
            var failure = new TransportFailure(TransportFaults.of(e, watch), e);
            boolean stale = pooled != null && pooled.wasReused() && watch.ending() == null
                    && watch.phase() == Watch.Phase.AWAITING_RESPONSE
                    && failure.fault() == Fault.CONNECTION_RESET;
            watch.end(WatchEnd.CLOSED);
            if (stale) {
                throw new StaleConnection(failure);
            }
            throw failure;
        }
    }

    /** A reused connection broke before any response byte: worth one resend on a new connection. */
    private static final class StaleConnection extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient TransportFailure failure;

        StaleConnection(TransportFailure failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    @Override
    public void close() {
        if (ownHeartbeat != null) {
            ownHeartbeat.close();
        }
        watchdog.close();
        pool.close();
    }

    /**
     * Builds the JDK's default TLS context (it reads the whole trust store) and the TLS classes a client needs: about
     * a seventh of the gateway's start-up. A caller may do it on another thread while the rest starts; the JDK keeps
     * the one context, and a constructor that needs it waits for it rather than building a second.
     */
    public static void prepareDefaultTls() {
        try {
            SSLContext.getDefault().createSSLEngine().getSSLParameters();
        } catch (NoSuchAlgorithmException | RuntimeException reportedByConstructor) {
            // The constructor meets the same failure and reports it.
        }
    }

    private static SSLContext jdkDefaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no default TLS context", e);
        }
    }
}
