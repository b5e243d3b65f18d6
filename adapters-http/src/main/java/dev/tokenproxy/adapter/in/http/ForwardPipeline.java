package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.BodyBytes;
import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import io.helidon.http.Header;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one way a request to be forwarded is handled, whatever API it speaks: local-key auth → admission against the
 * budget of bytes in flight → bounded body → parse → command → the use case → the answer. The
 * {@link InboundDialect} supplies the parser and the error shape; nothing here knows a format.
 */
final class ForwardPipeline {

    /** The most {@link BodyBuffers} keeps between requests, whatever the budget of bytes in flight. */
    private static final long MAX_RETAINED_BODY_BYTES = 256L * 1024 * 1024;

    private final ForwardRequestUseCase forward;
    private final LocalApiKeys localKeys;
    private final long maxRequestBodyBytes;
    private final InFlightBytes inFlight;
    private final Duration clientRetryWaitMax;
    private final RecordRefusalUseCase refusals;
    private final BodyBuffers buffers;

    ForwardPipeline(ForwardRequestUseCase forward, LocalApiKeys localKeys, long maxRequestBodyBytes,
                    InFlightBytes inFlight, Duration clientRetryWaitMax, RecordRefusalUseCase refusals) {
        this.forward = forward;
        this.refusals = refusals;
        this.localKeys = localKeys;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
        this.inFlight = inFlight;
        this.clientRetryWaitMax = clientRetryWaitMax;
        // A quarter of the budget: enough for every prompt in flight when most requests are small, and memory that
        // stays with the process once a burst of large prompts is over.
        this.buffers = new BodyBuffers(Math.min(inFlight.capacity() / 4, MAX_RETAINED_BODY_BYTES));
    }

    /** The route handler for {@code dialect}'s endpoint. */
    Handler handlerFor(InboundDialect dialect) {
        return (req, res) -> handle(dialect, req, res);
    }

    private void handle(InboundDialect dialect, ServerRequest req, ServerResponse res) {
        var line = new RequestLine(RequestIds.of(res), req.prologue().method().text() + " " + req.path().path());
        try {
            handle(dialect, req, res, line);
        } finally {
            line.log();
        }
    }

    private void handle(InboundDialect dialect, ServerRequest req, ServerResponse res, RequestLine line) {
        Optional<LocalApiKey> client = localKeys.authenticate(req.headers());
        if (client.isEmpty()) {
            refused(dialect, line, LocalApiKeys.unauthorized()).send(res, dialect.errors());
            return;
        }
        // Held from admission until the response is written: the body, and about as much again for its parse tree.
        long reserved = 0;
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() <= maxRequestBodyBytes) {
            reserved = 2 * declared.getAsLong();
            if (!inFlight.tryReserve(reserved)) {
                discardBody(req);
                refuseOverloaded(res, dialect, line);
                return;
            }
        }
        try {
            forwardWithin(dialect, req, res, client.get(), reserved, line);
        } finally {
            inFlight.release(reserved);
        }
    }

    /** Reads, checks and forwards an admitted request; {@code reserved} bytes of the budget are already held. */
    private void forwardWithin(InboundDialect dialect, ServerRequest req, ServerResponse res, LocalApiKey client,
                               long reserved, RequestLine line) {
        BodyBytes body;
        switch (BoundedBody.read(req, maxRequestBodyBytes, buffers)) {
            case BoundedBody.Outcome.Complete complete -> body = complete.bytes();
            case BoundedBody.Outcome.TooLarge tooLarge -> {
                refused(dialect, line, GatewayError.invalidRequest(413, "request_too_large",
                        "The request body exceeds " + maxRequestBodyBytes + " bytes.")).send(res, dialect.errors());
                return;
            }
            case BoundedBody.Outcome.Malformed malformed -> {
                // Where this body ends is unknown, so nothing after it can be read as the next request.
                res.header(HeaderValues.CONNECTION_CLOSE);
                refused(dialect, line, GatewayError.invalidRequest(400, "malformed_body",
                        "The request body could not be read: " + malformed.reason() + "."))
                        .send(res, dialect.errors());
                return;
            }
        }
        // A chunked body declared no length: it is counted once read, before anything is done with it.
        long unreserved = 2L * body.length() - reserved;
        boolean admitted = unreserved <= 0 || inFlight.tryReserve(unreserved);
        // One method from the read to the answer: its frame is on the stack of every open stream's thread.
        try {
            if (!admitted) {
                refuseOverloaded(res, dialect, line);
                return;
            }
            var parsed = dialect.parser().apply(body);
            if (parsed.error() != null) {
                refused(dialect, line, parsed.error()).send(res, dialect.errors());
                return;
            }
            var command = new ForwardRequestCommand(dialect.format(), parsed.fields().model(),
                    parsed.fields().stream(), body, client.upstreams(), line.id(), forwardedHeaders(dialect, req));
            line.forwarding(command.model(), parsed.fields().stream());
            var result = forward.forward(command);
            line.forwarded(result, ForwardResultWriter.write(result, res, dialect.errors(), clientRetryWaitMax));
        } finally {
            if (admitted && unreserved > 0) {
                inFlight.release(unreserved);
            }
            // After the answer is written: nothing holds the body once the use case has returned (BodyBytes).
            buffers.give(body.array());
        }
    }

    /** The client headers the dialect lets through to the upstream adapter, names in lower case. */
    private static Map<String, String> forwardedHeaders(InboundDialect dialect, ServerRequest req) {
        var forwarded = new LinkedHashMap<String, String>();
        for (Header header : req.headers()) {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (dialect.forwardsHeader().test(name)) {
                forwarded.put(name, header.values());
            }
        }
        return forwarded;
    }

    /**
     * Reads an authenticated client's body to its end without keeping it (one small buffer), so that it receives
     * the 503 and its Retry-After instead of a connection reset in the middle of its upload. Bounded by
     * max_request_body_bytes and the body deadline; a body that is larger or broken is left to ConnectionReuse,
     * which closes the connection.
     */
    private void discardBody(ServerRequest req) {
        byte[] sink = new byte[8 * 1024];
        long left = maxRequestBodyBytes;
        try (var in = req.content().inputStream()) {
            int count;
            while (left > 0 && (count = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= count;
            }
        } catch (java.io.IOException | RuntimeException brokenOrGone) {
            // The connection cannot be reused then; ConnectionReuse closes it after the response.
        }
    }

    private void refuseOverloaded(ServerResponse res, InboundDialect dialect, RequestLine line) {
        res.header(HeaderNames.RETRY_AFTER, "1");
        refused(dialect, line, GatewayError.overloaded()).send(res, dialect.errors());
    }

    /** A request refused here, before any upstream: logged, and kept as a record that bills nothing. */
    private GatewayError refused(InboundDialect dialect, RequestLine line, GatewayError error) {
        refusals.refused(new RecordRefusalUseCase.Refusal(line.id(), dialect.format(), Optional.empty(),
                error.status(), error.code()));
        return line.refused(error);
    }
}
