package dev.tokenproxy.adapter.out.upstream.format.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.adapter.out.upstream.sse.SseItem;
import dev.tokenproxy.adapter.out.upstream.stream.DialectStep;
import dev.tokenproxy.adapter.out.upstream.stream.StreamBreak;
import dev.tokenproxy.domain.classify.Fault;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What each Messages event means at the pre-output boundary, on event sequences as the Anthropic API sends them. */
class MessagesStreamDialectTest {

    private final MessagesStreamDialect dialect = new MessagesStreamDialect("anthropic", null);

    private DialectStep step(String type, String data) {
        return dialect.step(new SseItem.Event(type, data));
    }

    @Test
    void messageStartEmptyBlocksAndSignaturesAreHeldBackAndPingIsAKeepAlive() {
        assertThat(step("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}"))
                .isInstanceOf(DialectStep.Hold.class);
        assertThat(step("ping", "{\"type\":\"ping\"}")).isInstanceOf(DialectStep.KeepAlive.class);
        assertThat(step("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")).isInstanceOf(DialectStep.Hold.class);
        assertThat(step("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"\"}}")).isInstanceOf(DialectStep.Hold.class);
        assertThat(step("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"s\"}}")).isInstanceOf(DialectStep.Hold.class);
    }

    @Test
    void textThinkingAndToolCallsAreOutput() {
        assertThat(step("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")).isInstanceOf(DialectStep.Emit.class);
        assertThat(step("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hm\"}}")).isInstanceOf(DialectStep.Emit.class);
        assertThat(step("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}"))
                .isInstanceOf(DialectStep.Emit.class);
        assertThat(step("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}"))
                .isInstanceOf(DialectStep.Emit.class);
    }

    @Test
    void messageStopWithoutAnyBlockIsAnEmptyCompletion() {
        step("message_start", "{\"type\":\"message_start\",\"message\":{\"content\":[]}}");
        step("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}");

        var stop = step("message_stop", "{\"type\":\"message_stop\"}");

        assertThat(stop).isInstanceOfSatisfying(DialectStep.Fail.class,
                fail -> assertThat(fail.signal().fault()).isEqualTo(Fault.EMPTY_COMPLETION));
    }

    @Test
    void anErrorEventFailsWithTheUpstreamsTypeAndIsToldToTheClientAfterCommit() {
        var error = step("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}");

        assertThat(error).isInstanceOfSatisfying(DialectStep.Fail.class, fail -> {
            assertThat(fail.signal().errorType()).isEqualTo("overloaded_error");
            assertThat(fail.signal().fault()).isEqualTo(Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        });
        String interruption = new String(dialect.interruption(StreamBreak.ERROR_EVENT).getFirst(),
                StandardCharsets.UTF_8);
        assertThat(interruption).startsWith("event: error\n").contains("\"overloaded_error\"", "\"Overloaded\"");
    }

    @Test
    void anEndWithoutMessageStopIsABrokenStream() {
        assertThat(dialect.endOfBody()).isInstanceOfSatisfying(DialectStep.Fail.class,
                fail -> assertThat(fail.after()).isEqualTo(StreamBreak.BROKEN));
        assertThat(new String(dialect.interruption(StreamBreak.BROKEN).getFirst(), StandardCharsets.UTF_8))
                .contains("\"type\":\"api_error\"");
    }
}
