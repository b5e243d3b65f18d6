package dev.tokenproxy.adapter.in.http;

import static dev.tokenproxy.adapter.in.http.GatewayErrorAssertions.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.InFlightBytes;
import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.RecordsUnavailableException;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.model.UsageTotal;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.in.RecordRefusalUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A record store that cannot answer is the store's trouble, not a bug: the admin API says so in its own shape. */
class AdminStoreTroubleTest {

    private static final String TROUBLE = "record store /data/records.db: a read ran longer than 10 s and was stopped";

    /** Every read fails the way a store in trouble fails. */
    private static final RequestRecordsUseCase FAILING = new RequestRecordsUseCase() {
        @Override
        public List<AttemptRecord> requests(RecordQuery query) {
            throw new RecordsUnavailableException(TROUBLE);
        }

        @Override
        public List<AttemptRecord> request(String requestId) {
            throw new RecordsUnavailableException(TROUBLE);
        }

        @Override
        public List<UsageTotal> usage(UsageGrouping by, RecordQuery query) {
            throw new RecordsUnavailableException(TROUBLE);
        }
    };

    private static final CredentialStatusUseCase NO_CREDENTIALS = new CredentialStatusUseCase() {
        @Override
        public List<UpstreamStatus> upstreams() {
            return List.of();
        }

        @Override
        public List<AccountStatusView> accounts() {
            return List.of();
        }

        @Override
        public List<CooldownView> cooldowns() {
            return List.of();
        }

        @Override
        public boolean clearCooldown(CredentialKey key) {
            return false;
        }
    };

    private WebServer server;
    private LoggedRecords log;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        log = new LoggedRecords();
        var operator = new GatewayRouting.OperatorUseCases(FAILING, NO_CREDENTIALS, RecordRefusalUseCase.IGNORE);
        server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> GatewayRouting.routing(r, new ScriptedForwardUseCase(), List::of,
                        new LocalApiKeys(List.of()), 1024, InFlightBytes.unlimited(), Duration.ofSeconds(20),
                        Optional.of(operator)))
                .build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
        log.close();
    }

    @Test
    void aStoreThatCannotAnswerIsA503InTheApisShapeWithOneLogLine() throws Exception {
        for (String path : List.of("/admin/requests", "/admin/requests/req_1", "/admin/usage?by=model")) {
            var answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .build(), HttpResponse.BodyHandlers.ofString());

            var error = assertOpenAiError(answer, 503, "api_error", "records_unavailable");
            assertThat(error.path("message").asText()).as(path).contains("a read ran longer than 10 s");
        }
        assertThat(log.visible()).as(log.describe())
                .noneMatch(r -> r.getThrown() != null)
                .filteredOn(r -> r.getMessage() != null && r.getMessage().contains(TROUBLE)).hasSize(3);
    }
}
