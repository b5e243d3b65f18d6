package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.application.model.UpstreamReply;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;

/** Maps a {@link ForwardResult} onto the HTTP response, in one place. */
final class ForwardResultWriter {

    private static final System.Logger LOG = System.getLogger(ForwardResultWriter.class.getName());

    private ForwardResultWriter() {
    }

    /** Writes {@code result}; the gateway's own errors in {@code errors}, the client API's shape. */
    static void write(ForwardResult result, ServerResponse res, ErrorShape errors) {
        switch (result) {
            case ForwardResult.Delivered d -> deliver(d.reply(), res);
            case ForwardResult.Failed f -> writeFailure(f, res, errors);
        }
    }

    static GatewayError failure(ForwardResult.Failed failed) {
        return switch (failed.failure()) {
            case NO_UPSTREAM -> GatewayError.gateway(502, "no_upstream", failed.message());
            case MODEL_NOT_SUPPORTED -> GatewayError.invalidRequest(404, "model_not_supported", failed.message())
                    .withParam("model");
            case NO_CONFIGURED_CREDENTIAL -> GatewayError.gateway(502, "no_configured_credential", failed.message());
            case ALL_COOLING -> GatewayError.gateway(503, "upstreams_cooling_down", failed.message());
            case TIMEOUT -> GatewayError.gateway(504, "upstream_timeout", failed.message());
            case UPSTREAM_UNAVAILABLE -> GatewayError.gateway(502, "upstream_unavailable", failed.message());
        };
    }

    static void writeFailure(ForwardResult.Failed failed, ServerResponse res, ErrorShape errors) {
        failed.retryAfter().ifPresent(wait -> res.header(HeaderNames.RETRY_AFTER, Long.toString(wait.toSeconds())));
        failure(failed).send(res, errors);
    }

    private static void deliver(UpstreamReply reply, ServerResponse res) {
        res.status(reply.status());
        reply.headers().forEach(res::header);
        switch (reply) {
            case UpstreamReply.Buffered b -> res.send(b.body());
            case UpstreamReply.Streaming s -> pump(s.stream(), res);
        }
    }

    /**
     * Sends each chunk as soon as the upstream produced it. A failed write means the client went away: the
     * upstream call is cancelled by closing the stream.
     */
    private static void pump(ReplyStream stream, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (stream; OutputStream out = res.outputStream()) {
            byte[] chunk;
            while ((chunk = stream.next()) != null) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.INFO, "client disconnected during a stream (499); upstream call cancelled");
        }
    }
}
