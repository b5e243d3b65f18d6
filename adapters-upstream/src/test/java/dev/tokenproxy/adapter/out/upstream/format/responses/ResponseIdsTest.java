package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The id scheme a stream conversion relies on to name the same items as the response object that ends it. */
class ResponseIdsTest {

    @Test
    void itemIdsDeriveFromTheResponseIdWithoutItsPrefix() {
        String response = ResponseIds.response("chatcmpl-abc");
        assertThat(response).isEqualTo("resp_chatcmpl-abc");
        assertThat(ResponseIds.reasoning(response)).isEqualTo("rs_chatcmpl-abc");
        assertThat(ResponseIds.message(response)).isEqualTo("msg_chatcmpl-abc");
        assertThat(ResponseIds.call(response, 2)).isEqualTo("call_chatcmpl-abc_2");
        assertThat(ResponseIds.functionCall("call_1")).isEqualTo("fc_call_1");
    }

    @Test
    void anIdThatIsAlreadyAResponseIdIsKept() {
        assertThat(ResponseIds.response("resp_123")).isEqualTo("resp_123");
        assertThat(ResponseIds.message("custom")).isEqualTo("msg_custom");
    }
}
