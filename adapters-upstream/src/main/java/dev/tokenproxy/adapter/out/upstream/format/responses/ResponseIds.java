package dev.tokenproxy.adapter.out.upstream.format.responses;

import java.util.Objects;

/**
 * The ids a Chat upstream's answer gets when it is told as a Responses {@code response}: derived, never random, so
 * that a stream's events and the response object that ends it name the same items.
 */
public final class ResponseIds {

    private static final String RESPONSE = "resp_";

    private ResponseIds() {
    }

    /** {@code resp_} and the chat completion's id; an id that is already a response id stays as it is. */
    public static String response(String chatCompletionId) {
        Objects.requireNonNull(chatCompletionId, "chatCompletionId");
        return chatCompletionId.startsWith(RESPONSE) ? chatCompletionId : RESPONSE + chatCompletionId;
    }

    /** The one reasoning item of a response. */
    public static String reasoning(String responseId) {
        return "rs_" + suffix(responseId);
    }

    /** The one message item of a response. */
    public static String message(String responseId) {
        return "msg_" + suffix(responseId);
    }

    /** A function_call item, named after its call id, which is unique within a response. */
    public static String functionCall(String callId) {
        return "fc_" + Objects.requireNonNull(callId, "callId");
    }

    /** The call id of a tool call the upstream sent without one: the {@code index}-th call of the response. */
    public static String call(String responseId, int index) {
        return "call_" + suffix(responseId) + "_" + index;
    }

    private static String suffix(String responseId) {
        Objects.requireNonNull(responseId, "responseId");
        return responseId.startsWith(RESPONSE) ? responseId.substring(RESPONSE.length()) : responseId;
    }
}
