package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request body whose framing is broken gets a 400 in the OpenAI error shape and a closed connection (where the body
 * ends is unknown, so nothing after it is a request); it is never forwarded, and it is not a server error in the log.
 */
class BrokenRequestBodyTest {

    private static final String CHAT_HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
            + "Content-Type: application/json\r\n";
    private static final String CHUNKED = CHAT_HEAD + "Transfer-Encoding: chunked\r\n\r\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a chunk size that is not hexadecimal      | zz⏎hello⏎0⏎⏎",
            "an empty chunk size line                  | ⏎hello⏎0⏎⏎",
            "a chunk size of 2^31 or more              | 80000000⏎hello⏎0⏎⏎",
            "a chunk without its CRLF, then a size     | d⏎{\"model\":\"x\"}0⏎⏎",
            "data after the last chunk                 | d⏎{\"model\":\"x\"}⏎0⏎garbage⏎⏎",
            "chunk size lines ended by a bare LF       | d␊{\"model\":\"x\"}␊0␊␊",
            "a chunk size line ended by a bare LF      | d␊{\"model\":\"x\"}⏎0⏎⏎",
            "a chunk size line ended by a bare CR      | d␍{\"model\":\"x\"}⏎0⏎⏎",
    })
    void aBrokenChunkedBodyGets400AndAClosedConnection(String what, String chunks) throws Exception {
        try (var log = new LoggedRecords(); var gateway = RunningGateway.open();
             var client = RawConnection.to(gateway)) {
            log.expectClosedSockets(1);

            var response = client.send(CHUNKED + crlf(chunks)).readResponse();

            assertMalformedBodyAnswered(response);
            assertThat(client.closedByServer()).as("connection closed after the 400").isTrue();
            log.awaitClosedSockets();
            assertQuietLog(log);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "inside a chunk                  | Transfer-Encoding: chunked⏎⏎20⏎{\"model\":",
            "before the next chunk size line | Transfer-Encoding: chunked⏎⏎9⏎{\"model\":⏎",
            "before the declared length      | Content-Length: 100⏎⏎{\"model\":",
    })
    void aBodyCutShortByTheClientGets400(String where, String framedBody) throws Exception {
        try (var log = new LoggedRecords(); var gateway = RunningGateway.open();
             var client = RawConnection.to(gateway)) {
            log.expectClosedSockets(1);

            var response = client.send(CHAT_HEAD + crlf(framedBody)).endOfOutput().readResponse();

            assertMalformedBodyAnswered(response);
            log.awaitClosedSockets();
            assertQuietLog(log);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aClientThatResetsTheConnectionMidBodyLeavesNoStackTrace() throws Exception {
        try (var log = new LoggedRecords(); var gateway = RunningGateway.open()) {
            log.expectClosedSockets(1);

            RawConnection.to(gateway).send(CHUNKED + "20\r\n{\"model\":").reset();

            log.awaitClosedSockets();
            assertQuietLog(log);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    @Test
    void aClientThatClosesMidBodyWithoutReadingLeavesNoStackTrace() throws Exception {
        try (var log = new LoggedRecords(); var gateway = RunningGateway.open()) {
            log.expectClosedSockets(1);

            RawConnection.to(gateway).send(CHAT_HEAD + "Content-Length: 100\r\n\r\n{\"model\":").close();

            log.awaitClosedSockets();
            assertQuietLog(log);
            assertThat(gateway.forward.received()).isEmpty();
        }
    }

    /** The tables write CRLF as ⏎, a bare LF as ␊ and a bare CR as ␍: a CSV row cannot hold a line break. */
    private static String crlf(String text) {
        return text.replace("⏎", "\r\n").replace("␊", "\n").replace("␍", "\r");
    }

    private static void assertMalformedBodyAnswered(RawConnection.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("content-type")).startsWith("application/json");
        assertThat(response.header("connection")).isEqualTo("close");
        var error = RunningGateway.json(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("malformed_body");
        assertThat(error.path("message").asText()).startsWith("The request body could not be read");
        assertThat(error.has("param")).isTrue();
    }

    /** A client's broken body is its own problem: nothing at WARNING or above, no stack trace an operator sees. */
    private static void assertQuietLog(LoggedRecords log) {
        assertThat(log.visible()).as("records: %s", log.describe())
                .allSatisfy(r -> {
                    assertThat(r.getThrown()).isNull();
                    assertThat(r.getLevel().intValue()).isLessThan(Level.WARNING.intValue());
                });
    }
}
