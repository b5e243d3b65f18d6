package dev.tokenproxy.adapter.out.upstream.format.chat;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

class ChatRequestBodyTest {

    @Test
    void aMappedModelIsWrittenIntoTheBody() {
        byte[] sent = ChatRequestBody.forUpstream(attempt("{\"messages\":[],\"model\":\"alias\"}", "alias", "gpt-real"));

        assertThat(new String(sent, StandardCharsets.UTF_8)).isEqualTo("{\"messages\":[],\"model\":\"gpt-real\"}");
    }

    @Test
    void theSameNameSendsTheClientsBytesWithoutReadingThem() {
        // The edge guarantees requestedModel is the body's own top-level model. A body that says otherwise (which the
        // edge never passes on) shows that the bytes were not parsed a second time: they go as they are.
        byte[] body = bytes("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"not-looked-at\"}");

        byte[] sent = ChatRequestBody.forUpstream(attempt(body, "gpt-real", "gpt-real"));

        assertThat(sent).isSameAs(body);
    }

    @Test
    void aBodyWhoseModelAlreadyMatchesTheUpstreamIsSentAsItIs() {
        byte[] body = bytes("{\"model\":\"gpt-real\",\"messages\":[]}");

        assertThat(ChatRequestBody.forUpstream(attempt(body, "upstream-1/gpt-real", "gpt-real"))).isSameAs(body);
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
