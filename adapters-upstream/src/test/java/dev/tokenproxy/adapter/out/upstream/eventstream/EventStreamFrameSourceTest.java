package dev.tokenproxy.adapter.out.upstream.eventstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenproxy.adapter.out.upstream.http.ExchangeLimits;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.http.UpstreamHttpClient;
import dev.tokenproxy.adapter.out.upstream.stream.MalformedFrameException;
import dev.tokenproxy.testing.FakeKiroUpstream;
import dev.tokenproxy.testing.KiroReply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The frame source over a real exchange with the fake Kiro upstream: what arrives on the wire, decoded. */
@Timeout(20)
class EventStreamFrameSourceTest {

    private static final ExchangeLimits LIMITS = new ExchangeLimits(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(10));
    private static final byte[] BODY = "{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{}}}}"
            .getBytes(StandardCharsets.UTF_8);

    private final FakeKiroUpstream kiro = FakeKiroUpstream.start();
    private final UpstreamHttpClient http = new UpstreamHttpClient();

    @AfterEach
    void close() {
        http.close();
        kiro.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 17, 100})
    void decodesEveryFrameWhateverTheWritesSplit(int pieceBytes) throws Exception {
        KiroReply reply = KiroReply.toolUse("Checking. ", "tooluse_1", "get_weather", "{\"ci", "ty\":\"Paris\"}");
        kiro.script(FakeKiroUpstream.ANY, pieceBytes == 0 ? reply : reply.inPiecesOf(pieceBytes));

        List<EventStreamMessage> messages = readAll(open());

        assertThat(messages).extracting(message -> message.type().orElseThrow()).containsExactly(
                "assistantResponseEvent", "toolUseEvent", "toolUseEvent", "meteringEvent", "contextUsageEvent");
    }

    @Test
    void aCorruptFrameIsMalformed() throws Exception {
        kiro.script(FakeKiroUpstream.ANY, KiroReply.corruptFrameBeforeOutput());
        var source = open();
        assertThatThrownBy(source::next).isInstanceOf(MalformedFrameException.class);
        source.abort();
    }

    @Test
    void aBodyThatEndsInsideAFrameIsMalformedNotEnded() throws Exception {
        kiro.script(FakeKiroUpstream.ANY, KiroReply.truncatedFrameAfter("Hello there"));
        var source = open();
        assertThat(source.next()).isNotEmpty();
        assertThatThrownBy(() -> readAll(source)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("ended inside");
        source.abort();
    }

    @Test
    void anOversizedFrameIsMalformedBeforeItsBytesArrive() throws Exception {
        kiro.script(FakeKiroUpstream.ANY, KiroReply.frameDeclaring(11 * 1024 * 1024));
        var source = open();
        assertThatThrownBy(source::next).isInstanceOf(MalformedFrameException.class);
        source.abort();
    }

    @Test
    void aResetAfterOutputIsATransportFailure() throws Exception {
        kiro.script(FakeKiroUpstream.ANY, KiroReply.cutAfterOutput("Hello"));
        var source = open();
        assertThat(source.next()).isNotEmpty();
        source.outputStarted();
        assertThatThrownBy(() -> readAll(source)).isInstanceOf(TransportFailure.class);
        source.abort();
    }

    private EventStreamFrameSource open() throws TransportFailure {
        var exchange = http.post(URI.create(kiro.baseUrl() + FakeKiroUpstream.PATH),
                Map.of("Authorization", "Bearer at-1", "Content-Type", "application/x-amz-json-1.0"), BODY, LIMITS);
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.header("content-type")).contains("application/vnd.amazon.eventstream");
        return new EventStreamFrameSource(exchange);
    }

    private static List<EventStreamMessage> readAll(EventStreamFrameSource source) throws Exception {
        var all = new ArrayList<EventStreamMessage>();
        for (List<EventStreamMessage> next = source.next(); next != null; next = source.next()) {
            all.addAll(next);
        }
        source.finish();
        return all;
    }
}
