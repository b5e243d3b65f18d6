package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadTest {

    private static final String HEAD = "HTTP/1.1 429 Too Many Requests\r\n"
            + "Content-Type: application/json\r\n"
            + "retry-after:  7 \r\n"
            + "X-Empty:\r\n"
            + "Connection: keep-alive, Close\r\n"
            + "Transfer-Encoding: gzip\r\n"
            + "transfer-encoding: chunked\r\n"
            + "\r\n";

    @Test
    void readsTheStatusAndFindsFieldsInAnyCaseWithTheirWhitespaceTrimmed() throws IOException {
        var head = ResponseHead.read(PiecewiseSource.of(HEAD).input());

        assertThat(head.status()).isEqualTo(429);
        assertThat(head.http11()).isTrue();
        assertThat(head.headers().first("Retry-After")).contains("7");
        assertThat(head.headers().first("CONTENT-TYPE")).contains("application/json");
        assertThat(head.headers().first("x-empty")).contains("");
        assertThat(head.headers().first("Retry")).isEmpty();
        assertThat(head.headers().count("Transfer-Encoding")).isEqualTo(2);
        assertThat(head.headers().hasToken("Connection", "close")).isTrue();
        assertThat(head.headers().hasToken("Connection", "keep")).isFalse();
        assertThat(head.headers().lastTokenIs("Transfer-Encoding", "chunked")).isTrue();
        assertThat(head.headers().lastTokenIs("Transfer-Encoding", "gzip")).isFalse();
    }

    @Test
    void aHeadSplitAtAnyByteReadsTheSameAndLeavesTheBodyBuffered() throws IOException {
        String message = HEAD + "body";
        for (int cut = 1; cut < message.length(); cut++) {
            var input = PiecewiseSource.splitAt(message, cut).input();
            var head = ResponseHead.read(input);

            assertThat(head.status()).as("cut at %d", cut).isEqualTo(429);
            assertThat(head.headers().first("retry-after")).as("cut at %d", cut).contains("7");
            assertThat(readRest(input)).as("cut at %d", cut).isEqualTo("body");
        }
    }

    private static String readRest(ConnectionInput input) throws IOException {
        var rest = new StringBuilder();
        byte[] buffer = new byte[3];
        int read;
        while ((read = input.read(buffer, 0, buffer.length)) >= 0) {
            rest.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        return rest.toString();
    }

    @Test
    void bareLineFeedsEndLinesToo() throws IOException {
        var head = ResponseHead.read(PiecewiseSource.byteByByte("HTTP/1.0 200\nA: b\n\n").input());

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.http11()).isFalse();
        assertThat(head.headers().first("a")).contains("b");
    }

    @Test
    void interimResponsesAreSkipped() throws IOException {
        var input = PiecewiseSource.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\n\r\n").input();

        assertThat(ResponseHead.read(input).status()).isEqualTo(201);
        assertThat(input.buffered()).isZero();
    }

    @Test
    void anEndlessRunOfInterimResponsesIsAViolation() {
        String interims = IntStream.range(0, 20).mapToObj(i -> "HTTP/1.1 100 Continue\r\n\r\n")
                .reduce("", String::concat);

        assertThatThrownBy(() -> ResponseHead.read(PiecewiseSource.of(interims).input()))
                .isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "HTTP/1.1 999 Odd\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "HTTP/1.1 20 Short\r\n\r\n",
            "HTTP/1.1 2000 Long\r\n\r\n",
            "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1  200 OK\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
            "\r\nHTTP/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nName : value\r\n\r\n",
            "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nA: b\u0000c\r\n\r\n",
            "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
            "HTTP/1.1 200 OK\r\nN\u00e4me: v\r\n\r\n"})
    void aMalformedHeadIsAProtocolViolation(String head) {
        assertThatThrownBy(() -> ResponseHead.read(PiecewiseSource.of(head).input()))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void valuesMayHoldTabsAndBytesBeyondAscii() throws IOException {
        var head = ResponseHead.read(PiecewiseSource.of("HTTP/1.1 200 OK\r\nA: b\tc \u00e9\r\n\r\n").input());

        assertThat(head.headers().first("A")).contains("b\tc \u00e9");
    }

    @Test
    void aHeadLongerThanTheLimitIsAViolationWithoutReadingOnForever() {
        var source = PiecewiseSource.of("HTTP/1.1 200 OK\r\nA: " + "x".repeat(ResponseHead.MAX_HEAD_BYTES) + "\r\n\r\n");

        assertThatThrownBy(() -> ResponseHead.read(source.input())).isInstanceOf(ProtocolException.class);
    }

    @Test
    void theEndOfTheStreamBeforeOrInsideAHeadIsAnEarlyEnd() {
        assertThatThrownBy(() -> ResponseHead.read(PiecewiseSource.of().input()))
                .isInstanceOf(EOFException.class).hasMessageContaining("before it answered");
        assertThatThrownBy(() -> ResponseHead.read(PiecewiseSource.of("HTTP/1.1 200 OK\r\nA: b\r\n").input()))
                .isInstanceOf(EOFException.class).hasMessageContaining("middle of its response head");
    }
}
