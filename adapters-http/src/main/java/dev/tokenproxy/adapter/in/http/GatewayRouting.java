package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.in.ListModelsUseCase;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;

/** The gateway's routing table, shared by {@code main} and the tests. */
public final class GatewayRouting {

    private static final System.Logger LOG = System.getLogger(GatewayRouting.class.getName());
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** What a client may call, for the answer to anything else. */
    static final String SERVED = "POST /v1/chat/completions, POST /v1/responses, POST /v1/messages, "
            + "POST /v1/messages/count_tokens, GET /v1/models, GET /health, GET /metrics and /admin/...";

    private GatewayRouting() {
    }

    /**
     * @param inFlight the gateway's budget of body bytes held in memory at once; request bodies draw on it from
     *                 admission until their response is written
     */
    public static void routing(HttpRouting.Builder routing, ForwardRequestUseCase forward, ListModelsUseCase models,
                               LocalApiKeys localKeys, long maxRequestBodyBytes, InFlightBytes inFlight) {
        routing(routing, forward, models, localKeys, maxRequestBodyBytes, inFlight, DEFAULT_CLIENT_RETRY_WAIT_MAX);
    }

    /** The default of {@code client_retry_wait_max_seconds} (behaviour §4.6). */
    public static final Duration DEFAULT_CLIENT_RETRY_WAIT_MAX = Duration.ofSeconds(20);

    /**
     * @param clientRetryWaitMax gateway errors asking for a longer wait than this say {@code x-should-retry: false}
     */
    public static void routing(HttpRouting.Builder routing, ForwardRequestUseCase forward, ListModelsUseCase models,
                               LocalApiKeys localKeys, long maxRequestBodyBytes, InFlightBytes inFlight,
                               Duration clientRetryWaitMax) {
        routing(routing, forward, models, localKeys, maxRequestBodyBytes, inFlight, clientRetryWaitMax,
                Optional.empty());
    }

    /**
     * What the operator's API under {@code /admin} serves, and where refusals made before any upstream are recorded.
     */
    public record OperatorUseCases(RequestRecordsUseCase records, CredentialStatusUseCase credentials,
                                   RecordRefusalUseCase refusals) {
    }

    /** @param operator the admin API's use cases; without them there is no {@code /admin} and refusals go unrecorded */
    public static void routing(HttpRouting.Builder routing, ForwardRequestUseCase forward, ListModelsUseCase models,
                               LocalApiKeys localKeys, long maxRequestBodyBytes, InFlightBytes inFlight,
                               Duration clientRetryWaitMax, Optional<OperatorUseCases> operator) {
        routing(routing, forward, models, localKeys, maxRequestBodyBytes, inFlight, clientRetryWaitMax, operator,
                Optional.empty());
    }

    /** @param metrics the registry {@code GET /metrics} scrapes; without it there is no {@code /metrics} */
    public static void routing(HttpRouting.Builder routing, ForwardRequestUseCase forward, ListModelsUseCase models,
                               LocalApiKeys localKeys, long maxRequestBodyBytes, InFlightBytes inFlight,
                               Duration clientRetryWaitMax, Optional<OperatorUseCases> operator,
                               Optional<PrometheusMeterRegistry> metrics) {
        operator.ifPresent(use -> routing.register(new AdminEndpoints(use.records(), use.credentials(), localKeys)));
        metrics.ifPresent(registry -> routing.register(new MetricsEndpoint(registry, localKeys)));
        var pipeline = new ForwardPipeline(forward, localKeys, maxRequestBodyBytes, inFlight, clientRetryWaitMax,
                operator.map(OperatorUseCases::refusals).orElse(RecordRefusalUseCase.IGNORE));
        routing.addFilter(new RequestIds())
                .addFilter(new ConnectionReuse())
                .get("/health", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(HEALTHY);
                })
                .register(new OpenAiEndpoints(pipeline, models, localKeys))
                .register(new MessagesEndpoints(pipeline, localKeys, maxRequestBodyBytes))
                .any((req, res) -> GatewayError.invalidRequest(404, "unknown_url", "This gateway does not serve "
                        + req.prologue().method().text() + " " + req.path().path() + ". It serves " + SERVED
                        + "; clients take the base URL http://HOST:PORT/v1.").send(res))
                // The budget of bytes in flight is meant to prevent this; if the heap runs out anyway, the client
                // gets the same answer as for a spent budget, never a 500.
                .error(OutOfMemoryError.class, (req, res, e) -> {
                    LOG.log(Level.ERROR, "out of memory while handling " + req.path().path()
                            + "; lower limits.max_in_flight_bytes or raise the heap (-Xmx)");
                    if (!res.isSent()) {
                        res.header(HeaderNames.RETRY_AFTER, "1");
                        GatewayError.overloaded().send(res);
                    }
                })
                // One place for what escaped the handlers: a bug, never an upstream failure.
                .error(RuntimeException.class, (req, res, e) -> {
                    LOG.log(Level.ERROR, "unexpected error while handling " + req.path().path(), e);
                    if (!res.isSent()) {
                        GatewayError.gateway(500, "internal_error", "The gateway failed to handle the request.")
                                .send(res);
                    }
                });
    }

    /**
     * The answers to requests Helidon refuses before routing them (HTTP/1.0, broken headers), for
     * {@code WebServer.builder().directHandlers(...)}: they live on the listener, not in the routing.
     */
    public static DirectHandlers directHandlers() {
        return UnroutedRequestErrors.forEveryEvent();
    }
}
