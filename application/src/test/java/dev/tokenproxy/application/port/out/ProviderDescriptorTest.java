package dev.tokenproxy.application.port.out;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tokenproxy.application.port.out.ProviderDescriptor.FormatSupport;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderDescriptorTest {

    @Test
    void tellsNativeConvertedAndUnservedFormatsApart() {
        var provider = new ProviderDescriptor("p", Set.of(InboundFormat.CHAT), Set.of(InboundFormat.RESPONSES));

        assertThat(provider.support(InboundFormat.CHAT)).isEqualTo(FormatSupport.NATIVE);
        assertThat(provider.support(InboundFormat.RESPONSES)).isEqualTo(FormatSupport.BY_CONVERSION);
        assertThat(provider.support(InboundFormat.MESSAGES)).isEqualTo(FormatSupport.NONE);
    }

    @Test
    void aNativeOnlyProviderConvertsNothing() {
        var provider = ProviderDescriptor.nativeOnly("openai", InboundFormat.CHAT);

        assertThat(provider.byConversion()).isEmpty();
        assertThat(provider.support(InboundFormat.RESPONSES)).isEqualTo(FormatSupport.NONE);
    }

    /** Configuration lower-cases what it reads: any other name could never be chosen. */
    @ParameterizedTest
    @ValueSource(strings = {"", "OpenAI", "open-ai", "1st", " openai"})
    void refusesANameConfigurationCouldNeverMatch(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> ProviderDescriptor.nativeOnly(name, InboundFormat.CHAT));
    }

    @Test
    void refusesAProviderThatServesNothingNatively() {
        assertThatIllegalArgumentException().isThrownBy(
                () -> new ProviderDescriptor("p", Set.of(), Set.of(InboundFormat.CHAT)));
    }

    @Test
    void refusesAFormatListedAsBothNativeAndConverted() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ProviderDescriptor("p",
                Set.of(InboundFormat.CHAT), Set.of(InboundFormat.CHAT, InboundFormat.RESPONSES)));
    }
}
