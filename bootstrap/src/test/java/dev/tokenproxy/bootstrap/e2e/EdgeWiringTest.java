package dev.tokenproxy.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.bootstrap.Gateway;
import dev.tokenproxy.bootstrap.config.ConfigLoader;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge behaviour that lives on the web server rather than in the routing is wired by bootstrap too: the
 * gateway as {@code main} builds it answers HTTP/1.0 with the explanatory 505 (ADR 0005), not Helidon's empty one.
 */
class EdgeWiringTest {

    @TempDir
    Path folder;

    @Test
    void theWiredGatewayAnswersHttp10WithTheExplanatory505AndCloses() throws IOException {
        Path config = Files.writeString(folder.resolve("token-proxy.yaml"), "listen: { port: 0 }\n");
        try (var gateway = Gateway.start(new ConfigLoader(Map.of()).loadFile(config));
             var socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            // The whole answer up to EOF: the server closes after it.
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 505 ")
                    .containsIgnoringCase("content-type: application/json")
                    .contains("\"code\":\"http_version_not_supported\"")
                    .contains("proxy_http_version 1.1");
        }
    }
}
