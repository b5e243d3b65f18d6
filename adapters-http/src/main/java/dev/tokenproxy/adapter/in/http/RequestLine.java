package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.domain.classify.AttemptSignal;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The one line an operator reads per forwarded request: id, route, requested → served model, which upstream and
 * credential answered (labels, never secrets), attempts, status, tokens when the answer reported them, latency, and
 * what went wrong if something did.
 * Filled in as the request goes through the pipeline; logged once at its end, streams included.
 */
final class RequestLine {

    private static final System.Logger LOG = System.getLogger("dev.tokenproxy.requests");

    private final String id;
    private final String route;
    private final long started = System.nanoTime();
    private String model;
    private boolean stream;
    private String served = "";
    private String outcome = "no answer written";
    private Level level = Level.INFO;

    RequestLine(String id, String route) {
        this.id = id;
        this.route = route;
    }

    String id() {
        return id;
    }

    /** The request was refused before anything was sent upstream; returns the error to send. */
    GatewayError refused(GatewayError error) {
        outcome = error.status() + " " + error.code();
        return error;
    }

    void forwarding(String requestedModel, boolean streamed) {
        this.model = requestedModel;
        this.stream = streamed;
    }

    void forwarded(ForwardResult result, ForwardResultWriter.Written written) {
        var summary = result.summary();
        var via = new StringBuilder();
        summary.servedModel().filter(name -> !name.equals(model)).ifPresent(name -> via.append(" → ").append(name));
        summary.servedBy().ifPresent(key -> via.append(" via ").append(key));
        served = via.toString();
        var text = new StringBuilder();
        text.append(summary.attempts()).append(summary.attempts() == 1 ? " attempt, " : " attempts, ");
        text.append(written.status());
        written.errorCode().ifPresent(code -> text.append(' ').append(code));
        written.brokenAfterOutput().ifPresent(signal -> text.append(", stream broke after output (")
                .append(describe(signal)).append(')'));
        if (written.clientLeft() && written.brokenAfterOutput().isEmpty()) {
            text.append(", client left (499)");
        }
        if (!written.usage().isNone()) {
            text.append(", tokens ").append(written.usage().input()).append(" in / ")
                    .append(written.usage().output()).append(" out");
        }
        outcome = text.toString();
        if (written.status() >= 500 || written.brokenAfterOutput().isPresent()) {
            level = Level.WARNING;
        }
    }

    void log() {
        long millis = (System.nanoTime() - started) / 1_000_000;
        String what = model == null ? "" : " model " + model + (stream ? " (stream)" : "");
        LOG.log(level, "request " + id + ": " + route + what + served + ", " + outcome + ", " + millis + " ms");
    }

    private static String describe(AttemptSignal signal) {
        String fault = signal.fault().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return signal.errorCode() == null ? fault : fault + ", " + signal.errorCode();
    }
}
