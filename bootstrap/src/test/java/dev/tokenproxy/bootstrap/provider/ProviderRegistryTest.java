package dev.tokenproxy.bootstrap.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tokenproxy.adapter.out.upstream.openai.OpenAiChatAdapter;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry.Lookup;
import dev.tokenproxy.bootstrap.provider.ProviderRegistry.Provider;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    /** Stands for an adapter only by its class; the registry never builds one. */
    private static final class NeverSent implements SendAttemptPort {
        @Override
        public ProviderDescriptor descriptor() {
            throw new AssertionError("the registry reads the declared descriptor, not the adapter's");
        }

        @Override
        public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
            throw new AssertionError("not sent to");
        }
    }

    private static Provider provider(String name) {
        return new Provider(ProviderDescriptor.nativeOnly(name, InboundFormat.MESSAGES), NeverSent.class);
    }

    @Test
    void thisBuildHasTheOpenAiAdapterUnderTheNameItDeclares() {
        var lookup = ProviderRegistry.ofThisBuild().lookup("openai");

        assertThat(lookup).isInstanceOfSatisfying(Lookup.Available.class, found -> {
            assertThat(found.provider().descriptor()).isEqualTo(OpenAiChatAdapter.DESCRIPTOR);
            assertThat(found.provider().adapter()).isEqualTo(OpenAiChatAdapter.class);
        });
    }

    @Test
    void aContractProviderWithoutAnAdapterIsNotYetAvailableAndNamesTheOnesThatAre() {
        var registry = new ProviderRegistry(List.of(provider("openai"), provider("anthropic")));

        assertThat(registry.lookup("codex"))
                .isEqualTo(new Lookup.NotYetAvailable("codex", List.of("anthropic", "openai")));
    }

    @Test
    void aNameNeitherTheContractNorTheBuildHasIsUnknownAndTheKnownOnesAreListedSorted() {
        var registry = new ProviderRegistry(List.of(provider("openai"), provider("mock")));

        assertThat(registry.lookup("gemini")).isEqualTo(new Lookup.Unknown("gemini",
                List.of("anthropic", "codex", "kiro", "mock", "openai", "openai_responses")));
    }

    @Test
    void aRegisteredProviderIsAvailableWhetherTheContractNamesItOrNot() {
        var registry = new ProviderRegistry(List.of(provider("kiro"), provider("mock")));

        assertThat(registry.lookup("kiro")).isInstanceOf(Lookup.Available.class);
        assertThat(registry.lookup("mock")).isInstanceOf(Lookup.Available.class);
    }

    @Test
    void refusesTwoProvidersOfTheSameName() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ProviderRegistry(List.of(provider("mock"), provider("mock"))))
                .withMessageContaining("mock");
    }
}
