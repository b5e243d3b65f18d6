package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.TestUpstreams.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.ScriptedUpstream;
import dev.tokenproxy.application.fakes.TestUpstreams;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListModelsServiceTest {

    private static UpstreamCatalog catalog(TestUpstreams... upstreams) {
        return new UpstreamCatalog(Arrays.stream(upstreams).map(TestUpstreams::build).toList());
    }

    @Test
    void listsTheSortedUnionOfAllowListsAndConcreteMappingKeysWithoutDuplicates() {
        var service = new ListModelsService(catalog(
                upstream("a").models("gpt-4o", "o3"),
                upstream("b").models("gpt-4o").mappings(Map.of("gpt-4o", "gpt-4o-2024-08-06")),
                upstream("c").mappings(Map.of("fast", "gpt-4o-mini"))));

        assertThat(service.listModels()).containsExactly("fast", "gpt-4o", "o3");
    }

    @Test
    void leavesOutWildcardAndPrefixMappingKeys() {
        var service = new ListModelsService(catalog(
                upstream("a").mappings(Map.of("*", "gpt-4o", "claude-*", "claude-3", "alias", "gpt-4o"))));

        assertThat(service.listModels()).containsExactly("alias");
    }

    @Test
    void leavesOutDisabledUpstreams() {
        var service = new ListModelsService(catalog(
                upstream("a").models("gpt-4o"),
                upstream("b").models("secret-model").mappings(Map.of("alias", "x")).disabled()));

        assertThat(service.listModels()).containsExactly("gpt-4o");
    }

    @Test
    void listsNothingWhenNoUpstreamNamesAModel() {
        assertThat(new ListModelsService(catalog(upstream("a"))).listModels()).isEmpty();
    }

    /**
     * Spec §4.1: every listed model must be requestable, so a mapping key that the same upstream's allow-list
     * excludes is not listed.
     */
    @Test
    void listsOnlyModelsThatCanBeRequested() {
        var upstreams = catalog(upstream("a").models("gpt-4o").mappings(Map.of("fast", "gpt-4o-mini")));
        var selector = new CandidateSelector(upstreams, Map.of("openai", ScriptedUpstream.openai()));

        var listed = new ListModelsService(upstreams).listModels();

        assertThat(listed).isNotEmpty().allSatisfy(model -> assertThat(selector.select(
                new ForwardRequestCommand(InboundFormat.CHAT, model, false, new byte[0], Set.of("*"))))
                .as(model).isInstanceOf(CandidateSelection.Candidates.class));
    }
}
