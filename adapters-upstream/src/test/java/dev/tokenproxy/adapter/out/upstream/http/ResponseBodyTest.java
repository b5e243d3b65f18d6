package dev.tokenproxy.adapter.out.upstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseBodyTest {

    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n"
            + "1A;name=value\r\n" + "abcdefghijklmnopqrstuvwxyz\r\n"
            + "0\r\nX-Trailer: t\r\n\r\n";

    @Test
    void aChunkedBodyIsDecodedWhereverTheReadsSplitIt() throws IOException {
        for (int cut = 1; cut < CHUNKED.length(); cut++) {
            var input = PiecewiseSource.splitAt(CHUNKED + "NEXT", cut).input();

            assertThat(body(input)).as("cut at %d", cut).isEqualTo("helloabcdefghijklmnopqrstuvwxyz");
            assertThat(rest(input)).as("what follows the body stays unread, cut at %d", cut).isEqualTo("NEXT");
        }
        assertThat(body(PiecewiseSource.byteByByte(CHUNKED).input())).isEqualTo("helloabcdefghijklmnopqrstuvwxyz");
    }

    @Test
    void aSizedBodyStopsAtItsLength() throws IOException {
        var input = PiecewiseSource.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT").input();
        var body = ResponseBody.of(ResponseHead.read(input), input);

        assertThat(body.declaredLength()).isEqualTo(5);
        assertThat(drain(body)).isEqualTo("hello");
        assertThat(rest(input)).isEqualTo("NEXT");
    }

    @Test
    void aBodyWithoutFramingRunsToTheEndOfTheConnection() throws IOException {
        var input = PiecewiseSource.of("HTTP/1.0 200 OK\r\n\r\nhello", " world").input();
        var body = ResponseBody.of(ResponseHead.read(input), input);

        assertThat(body.endsWithConnection()).isTrue();
        assertThat(drain(body)).isEqualTo("hello world");
    }

    @Test
    void aTransferCodingOtherThanChunkedLastRunsToTheEndOfTheConnection() throws IOException {
        var input = PiecewiseSource.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz").input();
        var body = ResponseBody.of(ResponseHead.read(input), input);

        assertThat(body.endsWithConnection()).isTrue();
        assertThat(drain(body)).isEqualTo("xyz");
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 304})
    void noContentAndNotModifiedHaveNoBodyWhateverTheyDeclare(int status) throws IOException {
        var input = PiecewiseSource.of("HTTP/1.1 " + status + " X\r\nContent-Length: 5\r\n\r\n").input();
        var body = ResponseBody.of(ResponseHead.read(input), input);

        assertThat(body.read(new byte[8], 0, 8)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Content-Length: 5\r\nTransfer-Encoding: chunked",
            "Content-Length: 5\r\nContent-Length: 5",
            "Content-Length: 5, 5",
            "Content-Length: -5",
            "Content-Length: +5",
            "Content-Length: ",
            "Content-Length: 9999999999999999999"})
    void anAmbiguousOrUnreadableLengthIsAViolation(String fields) throws IOException {
        var input = PiecewiseSource.of("HTTP/1.1 200 OK\r\n" + fields + "\r\n\r\nhello").input();
        var head = ResponseHead.read(input);

        assertThatThrownBy(() -> ResponseBody.of(head, input)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "z\r\nhello\r\n0\r\n\r\n",
            "\r\nhello\r\n0\r\n\r\n",
            "5x\r\nhello\r\n0\r\n\r\n",
            "3\r\nhello\r\n0\r\n\r\n",
            "1000000000000000\r\n"})
    void aMalformedChunkIsAViolation(String chunks) {
        var input = PiecewiseSource.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks).input();

        assertThatThrownBy(() -> body(input)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"})
    void aBodyCutShortIsAnEarlyEnd(String message) {
        var input = PiecewiseSource.of(message).input();

        assertThatThrownBy(() -> body(input)).isInstanceOf(EOFException.class);
    }

    @Test
    void aLargeReadWithNothingBufferedGoesStraightIntoTheCallersArray() throws IOException {
        String data = "x".repeat(10_000);
        var source = PiecewiseSource.of("HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n", data);
        var input = source.input();
        var body = ResponseBody.of(ResponseHead.read(input), input);
        byte[] into = new byte[10_000];

        assertThat(body.read(into, 0, into.length)).isEqualTo(10_000);
        assertThat(new String(into, StandardCharsets.ISO_8859_1)).isEqualTo(data);
        assertThat(source.reads()).as("the head's read, then one read of the whole body").isEqualTo(2);
    }

    private static String body(ConnectionInput input) throws IOException {
        return drain(ResponseBody.of(ResponseHead.read(input), input));
    }

    private static String drain(ResponseBody body) throws IOException {
        var out = new StringBuilder();
        byte[] buffer = new byte[7];
        int read;
        while ((read = body.read(buffer, 0, buffer.length)) >= 0) {
            out.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        assertThat(body.read(buffer, 0, buffer.length)).as("the end stays the end").isEqualTo(-1);
        return out.toString();
    }

    private static String rest(ConnectionInput input) throws IOException {
        byte[] buffer = new byte[64];
        int read = input.read(buffer, 0, buffer.length);
        return read < 0 ? "" : new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
    }
}
