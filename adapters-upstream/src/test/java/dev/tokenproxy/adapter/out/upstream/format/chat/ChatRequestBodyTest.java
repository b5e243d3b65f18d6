package dev.tokenproxy.adapter.out.upstream.format.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatRequestBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMappedModelIsWrittenIntoTheBody() {
        byte[] sent = ChatRequestBody.forUpstream(attempt("{\"messages\":[],\"model\":\"alias\"}", "alias", "gpt-real"))
                .bytes();

        assertThat(new String(sent, StandardCharsets.UTF_8)).isEqualTo("{\"messages\":[],\"model\":\"gpt-real\"}");
    }

    @Test
    void theSameNameSendsTheClientsBytesWithoutReadingThem() {
        // The edge guarantees requestedModel is the body's own top-level model. A body that says otherwise (which the
        // edge never passes on) shows that the bytes were not parsed a second time: they go as they are.
        byte[] body = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"not-looked-at\"}");

        byte[] sent = ChatRequestBody.forUpstream(attempt(body, "gpt-real", "gpt-real")).bytes();

        assertThat(sent).isSameAs(body);
    }

    @Test
    void aBodyWhoseModelAlreadyMatchesTheUpstreamIsSentAsItIs() {
        byte[] body = bytes("{\"model\":\"gpt-real\",\"messages\":[]}");

        assertThat(ChatRequestBody.forUpstream(attempt(body, "upstream-1/gpt-real", "gpt-real")).bytes()).isSameAs(body);
    }

    /** Everything but the name keeps the client's bytes: spacing, key order, escapes, multi-byte text before it. */
    @ParameterizedTest
    @MethodSource("bodiesAndWhatIsSent")
    void aMappedModelReplacesOnlyTheNamesBytes(String client, String expected) throws Exception {
        byte[] body = bytes(client);

        byte[] sent = ChatRequestBody.forUpstream(body, "gpt-real");

        assertThat(new String(sent, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(JSON.readTree(sent)).isEqualTo(((ObjectNode) JSON.readTree(body)).put("model", "gpt-real"));
    }

    static Stream<Arguments> bodiesAndWhatIsSent() {
        return Stream.of(
                Arguments.of("""
                        {"model":"alias","messages":[{"role":"user","content":"café 日本 \\u00e9"}]}""", """
                        {"model":"gpt-real","messages":[{"role":"user","content":"café 日本 \\u00e9"}]}"""),
                Arguments.of("""
                        { "messages" : [ { "content" : "über \\"model\\": \\"x\\"" } ] ,
                          "model" : "alias" , "n":1 }""", """
                        { "messages" : [ { "content" : "über \\"model\\": \\"x\\"" } ] ,
                          "model" : "gpt-real" , "n":1 }"""),
                Arguments.of("""
                        {"stream":true,"model":"al\\u0069as","metadata":{"model":"inner"}}""", """
                        {"stream":true,"model":"gpt-real","metadata":{"model":"inner"}}"""));
    }

    @Test
    void aNameThatNeedsEscapingIsWrittenAsJson() throws Exception {
        String name = "team/\"quoted\" \\ \u00e9\u65e5 \n";

        byte[] sent = ChatRequestBody.forUpstream(bytes("{\"messages\":[],\"model\":\"alias\"}"), name);

        assertThat(JSON.readTree(sent).get("model").textValue()).isEqualTo(name);
    }

    /** What the splice is not sure of goes through the tree, which leaves exactly one model: the upstream's. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model\":\"a\",\"messages\":[],\"model\":\"b\"}",
            "{\"messages\":[]}",
            "{\"model\":7,\"messages\":[]}"})
    void aBodyWithoutOneModelStringIsRewrittenWhole(String client) throws Exception {
        byte[] sent = ChatRequestBody.forUpstream(bytes(client), "gpt-real");

        var tree = JSON.readTree(sent);
        assertThat(tree.get("model").textValue()).isEqualTo("gpt-real");
        assertThat(tree.get("messages").isArray()).isTrue();
    }

    @Test
    void aBodyThatIsNotAnObjectGoesAsItIs() {
        byte[] body = bytes("[1,2]");

        assertThat(ChatRequestBody.forUpstream(body, "gpt-real")).isSameAs(body);
    }

    /** The answer a tree of the whole body gives, read without building one. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"stream_options\":{\"include_usage\":true},\"messages\":[]}",
            "{\"messages\":[],\"stream_options\":{\"include_usage\":false}}",
            "{\"messages\":[{\"stream_options\":{\"include_usage\":true}}]}",
            "{\"stream_options\":{\"include_usage\":\"true\"}}",
            "{\"stream_options\":{\"include_usage\":1}}",
            "{\"stream_options\":{\"include_usage\":0}}",
            "{\"stream_options\":{\"include_usage\":12345678901234567890}}",
            "{\"stream_options\":{\"include_usage\":1.5}}",
            "{\"stream_options\":{\"include_usage\":\" true \"}}",
            "{\"stream_options\":{\"include_usage\":\"yes\"}}",
            "{\"stream_options\":{\"include_usage\":{\"include_usage\":true}}}",
            "{\"stream_options\":{\"nested\":{\"include_usage\":true}}}",
            "{\"stream_options\":{\"include_usage\":false,\"include_usage\":true}}",
            "{\"stream_options\":{\"include_usage\":true},\"stream_options\":null}",
            "{\"stream_options\":{\"include_usage\":true},\"stream_options\":{}}",
            "{\"stream_options\":{},\"stream_options\":{\"include_usage\":true}}",
            "{\"stream_options\":null}",
            "{\"stream_options\":[true]}",
            "{\"stream_options\":{\"include_usage\":true},\"messages\":[",
            "{\"stream_options\":{\"include_usage\":true}",
            "[{\"stream_options\":{\"include_usage\":true}}]"})
    void includeUsageAnswersAsATreeOfTheBodyWould(String client) {
        boolean fromTree;
        try {
            fromTree = JSON.readTree(client).path("stream_options").path("include_usage").asBoolean(false);
        } catch (Exception notJson) {
            fromTree = false;
        }

        assertThat(ChatRequestBody.includeUsage(bytes(client))).isEqualTo(fromTree);
    }

    private static AttemptRequest attempt(String body, String requested, String upstreamModel) {
        return attempt(bytes(body), requested, upstreamModel);
    }

    private static AttemptRequest attempt(byte[] body, String requested, String upstreamModel) {
        var upstream = new Upstream("u", "openai", URI.create("http://127.0.0.1:1/v1"), new CredentialSource.None(),
                0, true, Set.of(), ModelMappings.NONE, false, true, ProviderOptions.NONE);
        return new AttemptRequest(upstream, upstream.keylessCredential(), InboundFormat.CHAT, requested, upstreamModel,
                body, false, AttemptTimeouts.DEFAULTS, Instant.now().plusSeconds(30));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
