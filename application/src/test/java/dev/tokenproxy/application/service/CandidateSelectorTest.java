package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.TestUpstreams.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.ScriptedUpstream;
import dev.tokenproxy.application.fakes.TestUpstreams;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CandidateSelectorTest {

    private final ScriptedUpstream openai = new ScriptedUpstream("openai",
            Set.of(InboundFormat.CHAT, InboundFormat.RESPONSES));
    private final ScriptedUpstream anthropic = new ScriptedUpstream("anthropic", Set.of(InboundFormat.MESSAGES));
    private final Map<String, SendAttemptPort> adapters = Map.of("openai", openai, "anthropic", anthropic);

    private CandidateSelector selector(TestUpstreams... upstreams) {
        return new CandidateSelector(
                new UpstreamCatalog(Arrays.stream(upstreams).map(TestUpstreams::build).toList()), adapters);
    }

    private static ForwardRequestCommand request(InboundFormat format, String model, String... allowed) {
        return new ForwardRequestCommand(format, model, false, new byte[0],
                allowed.length == 0 ? Set.of("*") : Set.of(allowed));
    }

    private static ForwardRequestCommand chat(String model) {
        return request(InboundFormat.CHAT, model);
    }

    /** "upstream-id -> upstream model" of each candidate, in order. */
    private static List<String> candidates(CandidateSelection selection) {
        assertThat(selection).isInstanceOf(CandidateSelection.Candidates.class);
        return ((CandidateSelection.Candidates) selection).candidates().stream()
                .map(c -> c.upstream().id() + " -> " + c.upstreamModel()).toList();
    }

    @Test
    void keepsEveryServingUpstreamInConfigurationOrderWithItsAdapter() {
        var selection = selector(upstream("b"), upstream("a"), upstream("c").provider("anthropic"))
                .select(chat("gpt-4o"));

        assertThat(candidates(selection)).containsExactly("b -> gpt-4o", "a -> gpt-4o");
        assertThat(((CandidateSelection.Candidates) selection).candidates())
                .allSatisfy(c -> assertThat(c.client()).isSameAs(openai));
    }

    @Test
    void picksTheAdapterOfEachUpstreamsProvider() {
        var selection = selector(upstream("a"), upstream("claude").provider("anthropic"))
                .select(request(InboundFormat.MESSAGES, "claude-3"));

        var found = ((CandidateSelection.Candidates) selection).candidates();
        assertThat(found).singleElement().satisfies(c -> {
            assertThat(c.upstream().id()).isEqualTo("claude");
            assertThat(c.client()).isSameAs(anthropic);
        });
    }

    @Test
    void leavesOutDisabledUpstreams() {
        assertThat(candidates(selector(upstream("a").disabled(), upstream("b")).select(chat("m"))))
                .containsExactly("b -> m");
    }

    @Test
    void findsNoUpstreamWhenNoAdapterServesTheFormat() {
        assertThat(selector(upstream("a"), upstream("b")).select(request(InboundFormat.MESSAGES, "m")))
                .isInstanceOf(CandidateSelection.NoUpstreamForFormat.class);
    }

    @Test
    void servesAFormatByConversionOnlyWhereTheUpstreamAllowsConversion() {
        var converting = new ScriptedUpstream(new ProviderDescriptor("converting",
                Set.of(InboundFormat.CHAT), Set.of(InboundFormat.RESPONSES)));
        var selector = new CandidateSelector(new UpstreamCatalog(List.of(
                upstream("strict").provider("converting").noConversion().build(),
                upstream("lenient").provider("converting").build())),
                Map.of("converting", converting));

        assertThat(candidates(selector.select(request(InboundFormat.RESPONSES, "m")))).containsExactly("lenient -> m");
        assertThat(candidates(selector.select(chat("m")))).containsExactly("strict -> m", "lenient -> m");
    }

    @Test
    void findsNoUpstreamWhenTheProviderHasNoAdapter() {
        assertThat(selector(upstream("k").provider("kiro")).select(chat("m")))
                .isInstanceOf(CandidateSelection.NoUpstreamForFormat.class);
    }

    @Test
    void findsNoUpstreamWhenEveryServingUpstreamIsDisabled() {
        assertThat(selector(upstream("a").disabled()).select(chat("m")))
                .isInstanceOf(CandidateSelection.NoUpstreamForFormat.class);
    }

    @Test
    void leavesOutUpstreamsOutsideTheLocalKeyScope() {
        var selection = selector(upstream("a"), upstream("b"), upstream("c"))
                .select(request(InboundFormat.CHAT, "m", "a", "c"));

        assertThat(candidates(selection)).containsExactly("a -> m", "c -> m");
    }

    @Test
    void findsNoUpstreamWhenTheKeyScopeAdmitsNone() {
        assertThat(selector(upstream("a")).select(request(InboundFormat.CHAT, "m", "z")))
                .isInstanceOf(CandidateSelection.NoUpstreamForFormat.class);
    }

    @Test
    void admitsEveryModelWhenTheAllowListIsEmpty() {
        assertThat(candidates(selector(upstream("a"), upstream("b").models("gpt-4o")).select(chat("o3"))))
                .containsExactly("a -> o3");
    }

    @Test
    void findsModelNotSupportedWhenNoAllowListAdmitsTheModel() {
        assertThat(selector(upstream("a").models("gpt-4o"), upstream("b").models("gpt-4.1")).select(chat("o3")))
                .isInstanceOf(CandidateSelection.ModelNotSupported.class);
    }

    @Test
    void aMappingRenamesButDoesNotAdmitAModelTheAllowListExcludes() {
        var selector = selector(upstream("a").models("gpt-4o").mappings(Map.of("fast", "gpt-4o-mini")));

        assertThat(selector.select(chat("fast"))).isInstanceOf(CandidateSelection.ModelNotSupported.class);
    }

    @Test
    void mapsTheModelPerUpstreamExactBeforeLongestPrefixBeforeWildcard() {
        var selector = selector(
                upstream("exact").mappings(Map.of("gpt-4o", "e", "gpt-*", "p", "*", "w")),
                upstream("prefix").mappings(Map.of("gpt-*", "short", "gpt-4*", "long", "*", "w")),
                upstream("wild").mappings(Map.of("claude-*", "c", "*", "w")),
                upstream("none"));

        assertThat(candidates(selector.select(chat("gpt-4o"))))
                .containsExactly("exact -> e", "prefix -> long", "wild -> w", "none -> gpt-4o");
    }

    @Test
    void routesAnUpstreamPrefixedModelToThatUpstreamOnlyWithTheBareModel() {
        var selector = selector(upstream("a"), upstream("b").mappings(Map.of("gpt-4o", "gpt-4o-2024")));

        assertThat(candidates(selector.select(chat("a/gpt-4o")))).containsExactly("a -> gpt-4o");
        assertThat(candidates(selector.select(chat("b/gpt-4o")))).containsExactly("b -> gpt-4o-2024");
    }

    @Test
    void keepsFurtherSlashesOfAnUpstreamPrefixedModel() {
        assertThat(candidates(selector(upstream("a"), upstream("b")).select(chat("b/meta-llama/Llama-3"))))
                .containsExactly("b -> meta-llama/Llama-3");
    }

    @Test
    void checksTheBareModelOfAnUpstreamPrefixedModelAgainstThatUpstreamsAllowList() {
        var selector = selector(upstream("a").models("gpt-4o"), upstream("b"));

        assertThat(candidates(selector.select(chat("a/gpt-4o")))).containsExactly("a -> gpt-4o");
        assertThat(selector.select(chat("a/o3"))).isInstanceOf(CandidateSelection.ModelNotSupported.class);
    }

    @Test
    void findsModelNotSupportedForAnUpstreamPrefixWithoutAModel() {
        assertThat(selector(upstream("a"), upstream("b")).select(chat("a/")))
                .isInstanceOf(CandidateSelection.ModelNotSupported.class);
    }

    @Test
    void treatsASlashThatNamesNoUpstreamAsPartOfThePlainModelName() {
        var selector = selector(upstream("a"), upstream("b").models("meta-llama/x"));

        assertThat(candidates(selector.select(chat("meta-llama/x"))))
                .containsExactly("a -> meta-llama/x", "b -> meta-llama/x");
        assertThat(candidates(selector.select(chat("/x")))).containsExactly("a -> /x");
    }

    /**
     * Spec §4.1 ("routes to that upstream only"): {@code a/gpt-4o} names a configured upstream that cannot serve
     * this request (here: it does not speak the inbound format), so upstream b, which admits every model, must
     * not be offered either.
     */
    @Test
    void neverOffersAnotherUpstreamForAModelPrefixedWithAConfiguredUpstreamThatCannotServeTheRequest() {
        var selector = selector(upstream("a").provider("anthropic"), upstream("b"));

        assertThat(selector.select(chat("a/gpt-4o"))).isNotInstanceOf(CandidateSelection.Candidates.class);
    }
}
