package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.spi.ProviderContext;
import dev.tokenproxy.domain.classify.Fault;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpLogConfig;
import io.helidon.http.Method;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientProtocolConfig;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
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
    private final Tls tls;
    private final Tls noTls = Tls.builder().enabled(false).build();
    private final WebClient requests;
    private final Http1Client http1;
    private final ConnectionPool pool = new ConnectionPool();
    private final Watchdog watchdog = new Watchdog();

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
        if (maxBufferedBodyBytes < 1) {
            throw new IllegalArgumentException("maxBufferedBodyBytes must be positive");
        }
        this.maxBufferedBodyBytes = maxBufferedBodyBytes;
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
        this.tls = Tls.builder()
                .sslContext(sslContext.orElseGet(UpstreamHttpClient::jdkDefaultContext))
                .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_HTTPS)
                .build();
        this.requests = WebClient.builder()
                .tls(tls)
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .sendExpectContinue(false)
                .keepAlive(true)
                .build();
        // Helidon's wire log would print prompts and answers if someone raised its log level: keep it off.
        this.http1 = requests.client(Http1Client.PROTOCOL, Http1ClientProtocolConfig.builder()
                .log(HttpLogConfig.builder().sendLog(false).receiveLog(false).build())
                .build());
    }

    /**
     * Sends a POST and waits for the final response headers, within the connect and first-output limits.
     * The caller must read the returned exchange to its end or close it.
     *
     * @param headers the complete request headers (Host and Content-Length are added)
     */
    public UpstreamExchange post(URI uri, Map<String, String> headers, byte[] body, ExchangeLimits limits)
            throws TransportFailure {
        return exchange(Method.POST, uri, headers, body, limits);
    }

    /**
     * Sends a GET (no body) and waits for the final response headers, under the same limits and pool as
     * {@link #post}. The caller must read the returned exchange to its end or close it.
     *
     * @param headers the complete request headers (Host is added)
     */
    public UpstreamExchange get(URI uri, Map<String, String> headers, ExchangeLimits limits) throws TransportFailure {
        return exchange(Method.GET, uri, headers, null, limits);
    }

    private UpstreamExchange exchange(Method method, URI uri, Map<String, String> headers, byte[] body,
                                      ExchangeLimits limits) throws TransportFailure {
        ConnectionKey key = connectionKey(uri);
        try {
            return send(key, method, uri, headers, body, limits, false);
        } catch (StaleConnection stale) {
            // A pooled connection the server closed just before we used it: the request never reached the
            // server's application, so one resend on a new connection is safe (browsers and OkHttp do the same).
            try {
                return send(key, method, uri, headers, body, limits, true);
            } catch (StaleConnection impossible) {
                throw impossible.failure;
            }
        }
    }

    /** @param body null for a request without a body */
    private UpstreamExchange send(ConnectionKey key, Method method, URI uri, Map<String, String> headers,
                                  byte[] body, ExchangeLimits limits, boolean freshConnection)
            throws TransportFailure, StaleConnection {
        Watch watch = watchdog.start(limits);
        PooledConnection pooled = null;
        try {
            pooled = pool.lease(key, limits.connect(), watch, freshConnection);
            if (watch.ending() != null) {
                throw new IllegalStateException("aborted while connecting");
            }
            watch.connected();
            Http1ClientRequest request = http1.method(method)
                    .uri(uri)
                    .connection(pooled.connection())
                    .readTimeout(limits.untilDeadline().plus(READ_TIMEOUT_BACKSTOP))
                    .headers(h -> headers.forEach((name, value) -> h.set(HeaderNames.create(name), value)));
            // The first-output clock starts once our own preparation is done: it measures the upstream.
            watch.requestSending();
            Http1ClientResponse response = body == null ? request.request() : sendBody(request, body);
            watch.responseStarted();
            return new UpstreamExchange(response, watch, maxBufferedBodyBytes, budget);
        } catch (RuntimeException e) {
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

    /**
     * Sends the body as it is. {@code submit(byte[])} would first copy it, head and all, into one growing buffer: a
     * second copy of a prompt of hundreds of KB for each attempt, and with it twice the bytes a large request keeps
     * alive while it waits for its upstream. Through the output stream, with the length declared, Helidon hands the
     * array itself to the connection's writer ({@code ChannelConnection}), which writes it to the socket.
     */
    private static Http1ClientResponse sendBody(Http1ClientRequest request, byte[] body) {
        return request.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .outputStream(out -> {
                    out.write(body);
                    out.close();
                });
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
        watchdog.close();
        pool.close();
    }

    private ConnectionKey connectionKey(URI uri) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        return ConnectionKey.create(uri.getScheme(), uri.getHost(), port, https ? tls : noTls,
                requests.prototype().dnsResolver(), requests.prototype().dnsAddressLookup(), Proxy.noProxy());
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
