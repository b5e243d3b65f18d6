package dev.tokenproxy.adapter.out.upstream.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.model.AttemptTimeouts;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.routing.InboundFormat;
import dev.tokenproxy.domain.routing.ModelMappings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The usage reader around every provider: what a whole answer's {@code Success} carries when it leaves. */
class UsageReadingPortTest {

    private static final byte[] ANSWER = ("{\"choices\":[{\"message\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4}}").getBytes(StandardCharsets.UTF_8);

    @Test
    void readsTheUsageOfAWholeAnswerThatComesWithout() {
        var provider = answering(new AttemptOutcome.Success<>(200, buffered(ANSWER)));

        var outcome = UsageReadingPort.around(provider).send(request());

        assertThat(((AttemptOutcome.Success<UpstreamReply>) outcome).usage())
                .isEqualTo(new TokenUsage(12, 0, 0, 4, 0));
    }

    @Test
    void keepsTheUsageAProviderReadWhileItCheckedTheAnswer() {
        var read = new TokenUsage(30, 8, 0, 6, 2);
        var provider = answering(new AttemptOutcome.Success<>(200, buffered(ANSWER), read));

        var outcome = UsageReadingPort.around(provider).send(request());

        assertThat(((AttemptOutcome.Success<UpstreamReply>) outcome).usage()).isEqualTo(read);
    }

    @Test
    void leavesAnythingButA2xxAlone() {
        var refused = new AttemptOutcome.Success<UpstreamReply>(404, buffered(ANSWER));

        var outcome = UsageReadingPort.around(answering(refused)).send(request());

        assertThat(outcome).isSameAs(refused);
    }

    private static UpstreamReply buffered(byte[] body) {
        return new UpstreamReply.Buffered(200, Map.of("content-type", "application/json"), body);
    }

    /** A provider that answers every attempt with {@code outcome}. */
    private static SendAttemptPort answering(AttemptOutcome<UpstreamReply> outcome) {
        return new SendAttemptPort() {
            @Override
            public ProviderDescriptor descriptor() {
                return ProviderDescriptor.nativeOnly("fixed", InboundFormat.CHAT);
            }

            @Override
            public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
                return outcome;
            }
        };
    }

    private static AttemptRequest request() {
        var upstream = new Upstream("u", "fixed", URI.create("http://127.0.0.1:1/v1"), new CredentialSource.None(),
                0, true, Set.of(), ModelMappings.NONE, false, true, ProviderOptions.NONE);
        return new AttemptRequest(upstream, upstream.keylessCredential(), InboundFormat.CHAT, "m", "m",
                "{}".getBytes(StandardCharsets.UTF_8), false, AttemptTimeouts.DEFAULTS, Instant.now().plusSeconds(30));
    }
}
