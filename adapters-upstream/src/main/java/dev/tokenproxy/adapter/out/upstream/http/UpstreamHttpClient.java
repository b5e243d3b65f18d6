package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.application.model.AttemptTimeouts;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpLogConfig;
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
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/1.1 client every upstream adapter sends through: one keep-alive pool shared by all upstreams, TCP_NODELAY
 * (stream chunks are small and latency-bound), no redirects, certificates verified with hostname checks, and a
 * watchdog that enforces the connect, first-output, idle and deadline limits of each exchange. Thread-safe.
 */
public final class UpstreamHttpClient implements AutoCloseable {

    /** Socket read timeout beyond the deadline: only a backstop in case the watchdog itself could not run. */
    private static final Duration READ_TIMEOUT_BACKSTOP = Duration.ofSeconds(5);

    private final Tls tls;
    private final Tls noTls = Tls.builder().enabled(false).build();
    private final WebClient requests;
    private final Http1Client http1;
    /** The connect timeout is a socket option of the client that connects, so one client per configured value. */
    private final Map<Duration, WebClient> connectors = new ConcurrentHashMap<>();
    private final ConnectionPool pool = new ConnectionPool();
    private final Watchdog watchdog = new Watchdog();

    /** Trusts the JDK's default trust store. */
    public UpstreamHttpClient() {
        this(Optional.empty());
    }

    /** @param sslContext the trust to use instead of the JDK default (e.g. a private CA); hostnames are still verified */
    public UpstreamHttpClient(Optional<SSLContext> sslContext) {
        this.tls = Tls.builder()
                .sslContext(sslContext.orElseGet(UpstreamHttpClient::jdkDefaultContext))
                .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_HTTPS)
                .build();
        this.requests = connector(AttemptTimeouts.DEFAULTS.connect());
        // Helidon's wire log would print prompts and answers if someone raised its log level: keep it off.
        this.http1 = requests.client(Http1Client.PROTOCOL, Http1ClientProtocolConfig.builder()
                .log(HttpLogConfig.builder().sendLog(false).receiveLog(false).build())
                .build());
    }

    /**
     * Sends a POST and waits for the response headers, within the connect and first-output limits.
     * The caller must read the returned exchange to its end or close it.
     *
     * @param headers the complete request headers (Host and Content-Length are added)
     */
    public UpstreamExchange post(URI uri, Map<String, String> headers, byte[] body, ExchangeLimits limits)
            throws TransportFailure {
        Watch watch = watchdog.start(limits);
        try {
            PooledConnection pooled = pool.lease(connectionKey(uri), connector(limits.connect()), watch);
            if (watch.ending() != null) {
                throw new IllegalStateException("aborted while connecting");
            }
            watch.connected();
            Http1ClientRequest request = http1.post()
                    .uri(uri)
                    .connection(pooled.connection())
                    .readTimeout(limits.untilDeadline().plus(READ_TIMEOUT_BACKSTOP))
                    .headers(h -> headers.forEach((name, value) -> h.set(HeaderNames.create(name), value)));
            // The first-output clock starts once our own preparation is done: it measures the upstream.
            watch.requestSending();
            Http1ClientResponse response = request.submit(body);
            watch.responseStarted();
            return new UpstreamExchange(response, watch);
        } catch (RuntimeException e) {
            var failure = new TransportFailure(TransportFaults.of(e, watch), e);
            watch.end(WatchEnd.CLOSED);
            throw failure;
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

    private WebClient connector(Duration connectTimeout) {
        return connectors.computeIfAbsent(connectTimeout, this::client);
    }

    private WebClient client(Duration connectTimeout) {
        return WebClient.builder()
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout)
                        .tcpNoDelay(true)
                        .socketKeepAlive(true)
                        .build())
                .tls(tls)
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .sendExpectContinue(false)
                .keepAlive(true)
                .build();
    }

    private static SSLContext jdkDefaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no default TLS context", e);
        }
    }
}
