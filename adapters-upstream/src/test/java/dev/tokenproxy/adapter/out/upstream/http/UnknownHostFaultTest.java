package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.domain.classify.Fault;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A host name that does not resolve is its own fault, not a reset: a resend at once cannot cure it. */
class UnknownHostFaultTest {

    @Test
    void aNameThatDoesNotResolveIsAnUnknownHost() {
        // .invalid never resolves (RFC 2606).
        try (var client = new UpstreamHttpClient(Optional.empty(), 1024 * 1024,
                new dev.tokenproxy.application.model.InFlightBytes(64L * 1024 * 1024))) {
            var failure = catchThrowableOfType(TransportFailure.class, () -> client.post(
                    URI.create("http://no-such-upstream.invalid/v1/chat/completions"), Map.of(), new byte[0],
                    ExchangeLimits.of(AttemptTimeouts.DEFAULTS, Instant.now().plusSeconds(30), Instant.now())));

            assertThat(failure).isNotNull();
            assertThat(failure.fault()).as(String.valueOf(failure.getCause())).isEqualTo(Fault.UNKNOWN_HOST);
        }
    }
}
