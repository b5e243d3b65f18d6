package dev.tokenproxy.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** {@code log_format: json}: every record one JSON object on one line, whatever its message holds. */
class JsonLogLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRecordIsOneJsonObjectOnOneLineEvenWithQuotesNewlinesAndAStackTrace() throws Exception {
        var record = new LogRecord(Level.WARNING, "request {0}: said \"hi\"\nand more");
        record.setParameters(new Object[] {"req_1"});
        record.setLoggerName("dev.tokenproxy.requests");
        record.setThrown(new IllegalStateException("boom"));

        String line = new ConsoleLogging.JsonLineFormatter().format(record);

        assertThat(line.strip()).doesNotContain("\n");
        var json = JSON.readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARNING");
        assertThat(json.path("logger").asText()).isEqualTo("dev.tokenproxy.requests");
        assertThat(json.path("message").asText()).isEqualTo("request req_1: said \"hi\"\nand more");
        assertThat(json.path("thrown").asText()).contains("IllegalStateException: boom");
        assertThat(json.path("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }
}
