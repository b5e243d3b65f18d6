package dev.tokenproxy.adapter.out.upstream.http;

import dev.tokenproxy.testing.FakeOpenAiUpstream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Runs one exchange per test JVM before the timing tests: the first request loads and initialises the client's classes
 * (and the fake's), which would otherwise count against the 300 ms limits those tests use.
 */
public final class ClientWarmUp {

    private static boolean done;

    private ClientWarmUp() {
    }

    public static synchronized void once() throws TransportFailure {
        if (done) {
            return;
        }
        var generous = new ExchangeLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        try (var fake = FakeOpenAiUpstream.start(); var http = new UpstreamHttpClient()) {
            for (boolean stream : new boolean[] {false, true}) {
                byte[] body = ("{\"model\":\"warm-up\",\"stream\":" + stream + "}").getBytes(StandardCharsets.UTF_8);
                try (var exchange = http.post(URI.create(fake.baseUrl() + "/chat/completions"),
                        Map.of("Content-Type", "application/json"), body, generous)) {
                    exchange.readBody();
                }
            }
        }
        done = true;
    }
}
