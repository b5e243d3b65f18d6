package dev.tokenproxy.adapter.in.http;

import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Who may use the admin API (docs/admin-api.md): a local key that may use every upstream, since the records name
 * them all. With no keys configured (a gateway on a loopback host) only clients on this machine may, checked by
 * their address rather than assumed from the listening host.
 */
final class AdminAccess {

    private final LocalApiKeys keys;

    AdminAccess(LocalApiKeys keys) {
        this.keys = keys;
    }

    /** Empty when the request may use the admin API, else the error to answer. */
    Optional<GatewayError> refusal(ServerRequest req) {
        if (keys.open()) {
            return fromThisMachine(req) ? Optional.empty() : Optional.of(LocalApiKeys.unauthorized());
        }
        var client = keys.authenticate(req.headers());
        if (client.isEmpty()) {
            return Optional.of(LocalApiKeys.unauthorized());
        }
        if (!client.get().upstreams().contains("*")) {
            return Optional.of(GatewayError.invalidRequest(403, "admin_forbidden",
                    "The admin API needs a local key that may use every upstream."));
        }
        return Optional.empty();
    }

    private static boolean fromThisMachine(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress peer && peer.getAddress() != null
                && peer.getAddress().isLoopbackAddress();
    }
}
