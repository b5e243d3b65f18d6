package dev.tokenproxy.adapter.out.upstream.http;

import java.net.URI;

/**
 * Where an upstream listens: what a keep-alive connection can be reused for.
 *
 * @param tls  whether the connection speaks TLS ({@code https})
 * @param host the host as the URI names it (an IPv6 literal in brackets)
 * @param port the port, the scheme's default when the URI names none
 */
record Endpoint(boolean tls, String host, int port) {

    /** @throws IllegalArgumentException for a URI that is not {@code http} or {@code https} with a host */
    static Endpoint of(URI uri) {
        String scheme = uri.getScheme();
        boolean tls = "https".equalsIgnoreCase(scheme);
        if (!tls && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("upstream URI is not http or https: " + scheme);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("upstream URI has no host");
        }
        return new Endpoint(tls, uri.getHost(), uri.getPort() >= 0 ? uri.getPort() : defaultPort(tls));
    }

    /** The {@code Host} field: the host, and the port unless it is the scheme's default (RFC 9110 §7.2). */
    String hostField() {
        return port == defaultPort(tls) ? host : host + ':' + port;
    }

    /** The host for name resolution and TLS server name indication: an IPv6 literal without its brackets. */
    String bareHost() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int defaultPort(boolean tls) {
        return tls ? 443 : 80;
    }
}
