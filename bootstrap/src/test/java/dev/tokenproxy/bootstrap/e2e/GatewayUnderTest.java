package dev.tokenproxy.bootstrap.e2e;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.tokenproxy.bootstrap.Gateway;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The real gateway, wired by bootstrap exactly as {@code main} does, listening on a free loopback port and
 * configured by a YAML text. Secrets come in through {@code ${ENV}} references, as users are told to do.
 */
final class GatewayUnderTest implements AutoCloseable {

    static final String LOCAL_KEY = "tp-local-test-key";

    private final Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private GatewayUnderTest(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Starts with {@code yaml}, where {@code ${NAME}} refers to {@code env} (plus TP_KEY = the local key). */
    static GatewayUnderTest start(Path folder, String yaml, Map<String, String> env) {
        try {
            Path file = Files.writeString(folder.resolve("token-proxy.yaml"), yaml);
            var allEnv = new java.util.HashMap<>(env);
            allEnv.put("TP_KEY", LOCAL_KEY);
            return new GatewayUnderTest(Gateway.start(new ConfigLoader(allEnv).loadFile(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    /** The official OpenAI SDK pointed at the gateway, with its own retries off so every attempt is ours. */
    OpenAIClient sdk() {
        return sdk(LOCAL_KEY);
    }

    OpenAIClient sdk(String localKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl() + "/v1")
                .apiKey(localKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** A raw POST, for asserting exact bytes and headers the SDK would hide. */
    HttpResponse<String> post(String path, String body, String localKey) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (localKey != null) {
            request.header("Authorization", "Bearer " + localKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A raw GET, e.g. of the admin API. */
    HttpResponse<String> get(String path, String localKey) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (localKey != null) {
            request.header("Authorization", "Bearer " + localKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> chat(String model, boolean stream) {
        return post("/v1/chat/completions", chatBody(model, stream), LOCAL_KEY);
    }

    static String chatBody(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    }

    @Override
    public void close() {
        gateway.close();
    }
}
