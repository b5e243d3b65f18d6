package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.domain.classify.Fault;
import java.util.Objects;

/**
 * An exchange failed below HTTP: the connection could not be made, broke, or was aborted for a time limit.
 * Its message never contains request data, so it is safe to log.
 */
public final class TransportFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final Fault fault;

    public TransportFailure(Fault fault, Throwable cause) {
        super("upstream transport failure: " + fault, cause);
        this.fault = Objects.requireNonNull(fault, "fault");
    }

    public Fault fault() {
        return fault;
    }
}
