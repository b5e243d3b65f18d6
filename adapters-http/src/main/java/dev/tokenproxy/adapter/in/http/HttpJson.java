package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The inbound side's JSON: a token writer for what every gateway sends (error bodies), and one {@code ObjectMapper},
 * made at its first use, for the few bodies read or built as trees (the admin API, model lists, Messages requests).
 * An {@code ObjectMapper} loads and sets up some 300 classes, ~0.1 s of a start (docs/benchmark.md, thirteenth pass),
 * which a gateway that serves Chat requests and never fails one need not pay.
 */
final class HttpJson {

    private static final JsonFactory TOKENS = sharedBuffers();

    private HttpJson() {
    }

    static ObjectMapper mapper() {
        return Trees.MAPPER;
    }

    /** The bytes {@code writing} writes, through a generator of its own. */
    static byte[] written(Writing writing) {
        var out = new ByteArrayBuilder();
        try (JsonGenerator json = TOKENS.createGenerator(out)) {
            writing.write(json);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a response body", e);
        }
        return out.toByteArray();
    }

    /** What a body is written with: a generator's calls. */
    @FunctionalInterface
    interface Writing {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * Jackson's buffers are recycled per thread by default; requests run on virtual threads, so each would make its
     * own. A pool shared by all threads hands them from one request to the next.
     */
    private static JsonFactory sharedBuffers() {
        return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
    }

    private static final class Trees {
        static final ObjectMapper MAPPER = new ObjectMapper(sharedBuffers());
    }
}
