package dev.tokenproxy.adapter.out.account;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * The JDK's HTTP client for a login's token endpoint, built at the first refresh. Every gateway wires a refresher for
 * each kind of login, but most never hold such a login: a client built up front cost each of them a selector thread
 * and ~120 classes loaded on the main thread while the gateway started (benchmark.md, tenth pass).
 */
public final class TokenEndpointClient implements AutoCloseable {

    private final Duration connectTimeout;
    private HttpClient client;
    private boolean closed;

    /** @param connectTimeout bounds the TCP and TLS connect */
    public TokenEndpointClient(Duration connectTimeout) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /** Sends {@code request} and reads the answer as text, building the client first if this is the first call. */
    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private synchronized HttpClient client() throws IOException {
        if (closed) {
            throw new IOException("the token endpoint client is closed");
        }
        if (client == null) {
            client = HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    // A token endpoint that redirects is misconfigured; following it would send the token elsewhere.
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        }
        return client;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
    }
}
