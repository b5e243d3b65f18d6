package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.Fault;

/** What a failed Chat Completions stream tells the classification, whatever format the client speaks. */
public final class ChatStreamSignals {

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    private static final int REJECTED_2XX_STATUS = 502;

    private ChatStreamSignals() {
    }

    /** The 200 stream was unusable for {@code fault} (broken, malformed, empty). */
    public static AttemptSignal rejected(String provider, Fault fault) {
        return AttemptSignal.http(provider, REJECTED_2XX_STATUS).withFault(fault);
    }

    /** An {@code {"error":{...}}} event, with the upstream's own type and code so the table can tell them apart. */
    public static AttemptSignal errorEvent(String provider, JsonNode error) {
        AttemptSignal signal = rejected(provider, Fault.STREAM_BROKEN_BEFORE_OUTPUT);
        if (error != null && error.isObject()) {
            signal = signal.withError(ChatJson.scalar(error, "type"), ChatJson.scalar(error, "code"),
                    ChatJson.present(error, "param"));
        }
        return signal;
    }
}
