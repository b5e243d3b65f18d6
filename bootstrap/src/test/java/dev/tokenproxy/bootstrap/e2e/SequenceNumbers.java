package dev.tokenproxy.bootstrap.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.models.responses.ResponseStreamEvent;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The {@code sequence_number}s of Responses stream events as the official SDK parsed them. The SDK exposes the number
 * only on each of its dozens of event variants, so it is read back from the event's JSON form instead.
 */
final class SequenceNumbers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SequenceNumbers() {
    }

    /** Each event's number, in the order the client received them; -1 for an event without one. */
    static List<Long> of(List<ResponseStreamEvent> events) {
        return events.stream().map(event -> JSON.valueToTree(event).path("sequence_number").asLong(-1)).toList();
    }

    /** 0, 1, ..., {@code count - 1}: what a client that saw {@code count} events must have been told. */
    static List<Long> fromZero(int count) {
        return LongStream.range(0, count).boxed().toList();
    }
}
