package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How one client API writes an error body. A new inbound format with another shape adds one implementation. */
@FunctionalInterface
interface ErrorShape {

    /** OpenAI's {@code {"error":{"message","type","param","code"}}}: Chat Completions and Responses. */
    ErrorShape OPENAI = error -> {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode body = root.putObject("error");
        body.put("message", error.message());
        body.put("type", error.type());
        body.put("param", error.param());
        body.put("code", error.code());
        return Json.bytes(root);
    };

    byte[] body(GatewayError error);

    /** The one mapper error shapes write with. */
    final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }

        static byte[] bytes(ObjectNode node) {
            try {
                return MAPPER.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise an error body", e);
            }
        }
    }
}
