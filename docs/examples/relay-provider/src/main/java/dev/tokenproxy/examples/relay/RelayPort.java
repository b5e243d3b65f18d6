package dev.tokenproxy.examples.relay;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends one attempt: the client's Chat body to {@code base_url + path}, with the upstream's key as a Bearer token, and
 * turns what came back into an {@link AttemptSignal} for the classification table, which picks the outcome. Failures
 * of the upstream are outcomes, never exceptions; anything this class throws by mistake, the gateway contains.
 */
final class RelayPort implements SendAttemptPort {

    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RelayPlugin.RULES);
    private static final String PROVIDER = RelayPlugin.DESCRIPTOR.name();
    /** The request's {@code "model": "..."}; the body stays opaque bytes except for this one value. */
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Clock clock;
    private final long maxBodyBytes;
    private final HttpClient http;

    RelayPort(Clock clock, long maxBodyBytes) {
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public ProviderDescriptor descriptor() {
        return RelayPlugin.DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        if (request.stream()) {
            // A deliverable 400: the gateway tries the next upstream, and answers with this only if none serves.
            return new AttemptOutcome.Success<>(400, json(400, """
                    {"error":{"message":"the relay provider does not stream","type":"invalid_request_error"}}"""));
        }
        var options = request.upstream().providerOptions() instanceof RelayConfigSection.RelayOptions relay
                ? relay : RelayConfigSection.RelayOptions.DEFAULTS;
        HttpResponse<byte[]> response;
        try {
            response = http.send(httpRequest(request, options), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.CONNECT_TIMEOUT), null);
        } catch (HttpTimeoutException e) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.FIRST_OUTPUT_TIMEOUT), null);
        } catch (ConnectException e) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.CONNECT_REFUSED), null);
        } catch (IOException e) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.CONNECTION_RESET), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.CONNECTION_RESET), null);
        }
        if (response.body().length > maxBodyBytes) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.RESPONSE_TOO_LARGE), null);
        }
        var signal = AttemptSignal.http(PROVIDER, response.statusCode()).withWaitHint(retryAfter(response));
        return TABLE.outcome(signal, new UpstreamReply.Buffered(response.statusCode(),
                Map.of("content-type", response.headers().firstValue("content-type").orElse("application/json")),
                response.body()));
    }

    private HttpRequest httpRequest(AttemptRequest request, RelayConfigSection.RelayOptions options) {
        Duration untilDeadline = Duration.between(clock.instant(), request.deadline());
        Duration timeout = request.timeouts().firstOutput().compareTo(untilDeadline) < 0
                ? request.timeouts().firstOutput() : untilDeadline;
        var builder = HttpRequest.newBuilder(URI.create(stripSlash(request.upstream().baseUrl().toString())
                        + options.path()))
                .timeout(timeout.isNegative() || timeout.isZero() ? Duration.ofMillis(1) : timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(withModel(request)));
        var key = request.credential().secret();
        if (!key.isBlank()) {
            builder.header("authorization", "Bearer " + key.reveal());
        }
        return builder.build();
    }

    /**
     * The body with the model the upstream knows ({@code model_mappings}, an {@code id/} prefix removed), in an array
     * of its own: the request's body is the gateway's again once {@code send} returns (it reuses the arrays of large
     * prompts), and the JDK's client may still be sending when an upstream answers before it read the whole body.
     */
    private static byte[] withModel(AttemptRequest request) {
        if (request.upstreamModel().equals(request.requestedModel())) {
            return request.body().copy().array();
        }
        String body = new String(request.body().array(), 0, request.body().length(), StandardCharsets.UTF_8);
        String renamed = MODEL.matcher(body).replaceFirst(Matcher.quoteReplacement(
                "\"model\":\"" + request.upstreamModel().replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
        return renamed.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code Retry-After} in seconds (the HTTP-date form is left to the gateway's defaults). */
    private static Optional<Duration> retryAfter(HttpResponse<byte[]> response) {
        return response.headers().firstValue("retry-after").filter(v -> v.strip().matches("\\d{1,6}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v.strip())));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static UpstreamReply json(int status, String body) {
        return new UpstreamReply.Buffered(status, Map.of("content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
