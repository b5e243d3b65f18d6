package dev.tokenproxy.adapter.out.upstream.format.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;

/** Shape checks shared by the converters: each either returns what a field must be or rejects the document. */
public final class Shape {

    private Shape() {
    }

    public static ObjectNode newObject() {
        return ChatJson.mapper().createObjectNode();
    }

    public static ArrayNode newArray() {
        return ChatJson.mapper().createArrayNode();
    }

    public static boolean absent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    /** The field as an array; absent or null reads as empty, any other type is not the expected shape. */
    public static ArrayNode array(JsonNode parent, String field) throws NotConvertible {
        JsonNode value = parent.get(field);
        if (absent(value)) {
            return newArray();
        }
        if (value instanceof ArrayNode array) {
            return array;
        }
        throw new NotConvertible(field + " is not an array");
    }

    /** An element that must be an object. */
    public static ObjectNode object(JsonNode value, String what) throws NotConvertible {
        if (value instanceof ObjectNode object) {
            return object;
        }
        throw new NotConvertible(what + " is not an object");
    }

    /** The field as a string; absent or null reads as null, any other type is not the expected shape. */
    public static String string(JsonNode parent, String field) throws NotConvertible {
        JsonNode value = parent.get(field);
        if (absent(value)) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        throw new NotConvertible(field + " is not a string");
    }

    public static String requiredString(JsonNode parent, String field) throws NotConvertible {
        String value = string(parent, field);
        if (value == null) {
            throw new NotConvertible(field + " is missing");
        }
        return value;
    }

    /**
     * Function-call arguments, which both APIs carry as a string of JSON. Some clients send the object itself; it is
     * serialised rather than refused, since its meaning is not in doubt.
     */
    public static String arguments(JsonNode parent) throws NotConvertible {
        JsonNode value = parent.get("arguments");
        if (absent(value)) {
            return "";
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isObject()) {
            return ChatJson.text(value);
        }
        throw new NotConvertible("arguments is neither a string nor an object");
    }

    /** Copies the field when it holds a value, under the same or another name. */
    public static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (!absent(value)) {
            to.set(as, value);
        }
    }

    public static void copy(JsonNode from, String field, ObjectNode to) {
        copy(from, field, to, field);
    }

    /** Content as text: a string as is, text parts joined by a newline, nothing as an empty string. */
    public static String text(JsonNode content) throws NotConvertible {
        if (absent(content)) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw new NotConvertible("content is neither a string nor an array");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode element : content) {
            ObjectNode part = object(element, "a content part");
            String partText = string(part, "text");
            if (partText != null) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(partText);
            }
        }
        return text.toString();
    }
}
