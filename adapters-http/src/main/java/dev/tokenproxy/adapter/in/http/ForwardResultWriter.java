package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.model.ReplyStream;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.application.model.UpstreamReply;
import io.helidon.common.socket.SocketWriterException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Maps a {@link ForwardResult} onto the HTTP response, in one place. */
final class ForwardResultWriter {


    private ForwardResultWriter() {
    }

    /** Names the upstream and credential that served (labels, never secrets). */
    static final String UPSTREAM_HEADER = "x-token-proxy-upstream";
    /** How many requests were sent upstream for this one. */
    static final String ATTEMPTS_HEADER = "x-token-proxy-attempts";

    /**
     * Writes {@code result}; the gateway's own errors in {@code errors}, the client API's shape.
     *
     * @param clientRetryWaitMax a longer wait than this is answered {@code x-should-retry: false} (behaviour §4.6): an
     *                           SDK must never sleep minutes inside one call because of the gateway
     */
    static Written write(ForwardResult result, ServerResponse res, ErrorShape errors, Duration clientRetryWaitMax) {
        var summary = result.summary();
        summary.servedBy().ifPresent(key -> res.header(UPSTREAM_HEADER, key.toString()));
        res.header(ATTEMPTS_HEADER, Integer.toString(summary.attempts()));
        return switch (result) {
            case ForwardResult.Delivered d -> deliver(d.reply(), summary.usage(), res);
            case ForwardResult.Failed f -> {
                var error = failure(f, clientRetryWaitMax);
                f.retryAfter().ifPresent(wait -> res.header(HeaderNames.RETRY_AFTER, Long.toString(wait.toSeconds())));
                error.send(res, errors);
                yield new Written(error.status(), Optional.of(error.code()), Optional.empty(), false, TokenUsage.NONE);
            }
        };
    }

    /**
     * What went out, for the request's log line.
     *
     * @param errorCode         the gateway's own error code, when it answered itself
     * @param brokenAfterOutput what ended a delivered stream early, after output
     * @param clientLeft        the client went away during a stream (recorded as 499)
     * @param usage             the tokens the answer reported, {@link TokenUsage#NONE} when it reported none
     */
    record Written(int status, Optional<String> errorCode, Optional<AttemptSignal> brokenAfterOutput,
                   boolean clientLeft, TokenUsage usage) {
    }

    static GatewayError failure(ForwardResult.Failed failed, Duration clientRetryWaitMax) {
        int status = failed.failure().status();
        return switch (failed.failure()) {
            case NO_UPSTREAM -> GatewayError.configuration(status, "no_upstream", failed.message());
            case MODEL_NOT_SUPPORTED -> GatewayError.invalidRequest(status, "model_not_supported", failed.message())
                    .withParam("model");
            case NO_CONFIGURED_CREDENTIAL -> GatewayError.configuration(status, "no_configured_credential",
                    failed.message());
            case UPSTREAM_CREDENTIAL_REJECTED -> GatewayError.configuration(status, "upstream_credential_rejected",
                    failed.message());
            case ALL_COOLING -> GatewayError.gateway(status, "upstreams_cooling_down", failed.message())
                    .withShouldRetry(failed.retryAfter().map(wait -> wait.compareTo(clientRetryWaitMax) <= 0)
                            .orElse(true));
            case TIMEOUT -> GatewayError.gateway(status, "upstream_timeout", failed.message());
            case UPSTREAM_UNAVAILABLE -> GatewayError.gateway(status, "upstream_unavailable", failed.message());
        };
    }

    /** @param wholeUsage what an answer delivered whole cost; a stream says what it cost once pumped to its end */
    private static Written deliver(UpstreamReply reply, TokenUsage wholeUsage, ServerResponse res) {
        res.status(reply.status());
        // The gateway's request id (set by RequestIds) names this request; an adapter's own never replaces it.
        reply.headers().forEach((name, value) -> {
            if (!RequestIds.HEADER.equalsIgnoreCase(name)) {
                res.header(name, value);
            }
        });
        return switch (reply) {
            case UpstreamReply.Buffered b -> {
                res.send(b.body());
                yield new Written(reply.status(), Optional.empty(), Optional.empty(), false, wholeUsage);
            }
            case UpstreamReply.Streaming s -> {
                boolean completed = pump(s.stream(), res);
                yield new Written(reply.status(), Optional.empty(), s.stream().brokenAfterOutput(), !completed,
                        s.stream().usage());
            }
        };
    }

    /**
     * Sends each chunk as soon as the upstream produced it. A failed write means the client went away: the
     * upstream call is cancelled by closing the stream.
     *
     * <p>At the stream's end the client's response is completed before the stream is closed. Helidon would send the
     * last chunk only when the handler returns, and closing the stream reads the upstream's own end so that its
     * connection can serve again: up to 250 ms when an upstream sends its last event but never ends its body.
     */
    private static boolean pump(ReplyStream stream, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (stream; OutputStream out = res.outputStream()) {
            byte[] chunk;
            while ((chunk = stream.next()) != null) {
                out.write(chunk);
                out.flush();
            }
            out.close();
            if (res instanceof RoutingResponse routing) {
                routing.commit();
            }
            return true;
        } catch (IOException | UncheckedIOException | CloseConnectionException | SocketWriterException clientLeft) {
            // Helidon reports a client that went away with its own runtime exceptions as well as with IO ones.
            return false;
        }
    }
}
