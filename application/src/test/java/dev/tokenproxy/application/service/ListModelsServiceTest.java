package dev.tokenproxy.application.service;

import static dev.tokenproxy.application.fakes.TestUpstreams.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenproxy.application.fakes.ScriptedUpstream;
import dev.tokenproxy.application.fakes.TestUpstreams;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.model.UpstreamCatalog;
import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListModelsServiceTest {

    private final KnownModels known = new KnownModels();

    private static UpstreamCatalog catalog(TestUpstreams... upstreams) {
        return new UpstreamCatalog(Arrays.stream(upstreams).map(TestUpstreams::build).toList());
    }

    private ListModelsService service(TestUpstreams... upstreams) {
        return new ListModelsService(catalog(upstreams), known);
    }

    @Test
    void listsTheSortedUnionOfAllowListsAndConcreteMappingKeysWithoutDuplicates() {
        var service = service(
                upstream("a").models("gpt-4o", "o3"),
                upstream("b").models("gpt-4o").mappings(Map.of("gpt-4o", "gpt-4o-2024-08-06")),
                upstream("c").mappings(Map.of("fast", "gpt-4o-mini")));

        assertThat(service.listModels()).containsExactly("fast", "gpt-4o", "gpt-4o-mini", "o3");
    }

    @Test
    void listsMappingTargetsThatTheUpstreamAdmits() {
        var service = service(
                upstream("open").mappings(Map.of("claude-*", "claude-sonnet-4", "*", "gpt-4o")),
                upstream("strict").models("fast").mappings(Map.of("fast", "llama-3.1-70b")));

        assertThat(service.listModels()).containsExactly("claude-sonnet-4", "fast", "gpt-4o");
    }

    @Test
    void leavesOutWildcardAndPrefixMappingKeys() {
        var service = service(upstream("a").mappings(Map.of("*", "gpt-4o", "claude-*", "claude-3", "alias", "gpt-4o")));

        assertThat(service.listModels()).containsExactly("alias", "claude-3", "gpt-4o");
    }

    /** Allow-lists match exactly, so {@code claude-*} in one is a mistaken pattern, never a model to list. */
    @Test
    void neverListsAGlobFromAnAllowList() {
        var service = service(upstream("a").models("claude-*", "*", "gpt-4o*", "o3"));

        assertThat(service.listModels()).containsExactly("o3");
    }

    @Test
    void neverListsAGlobThatAnUpstreamListed() {
        known.serves("a", "gpt-4o", "gpt-*");

        assertThat(service(upstream("a")).listModels()).containsExactly("gpt-4o");
    }

    @Test
    void leavesOutDisabledUpstreams() {
        known.serves("c", "hidden-listed-model");
        var service = service(
                upstream("a").models("gpt-4o"),
                upstream("b").models("secret-model").mappings(Map.of("alias", "x")).disabled(),
                upstream("c").disabled());

        assertThat(service.listModels()).containsExactly("gpt-4o");
        assertThat(known.askedFor).doesNotContain("b", "c");
    }

    @Test
    void includesWhatAnUpstreamThatAcceptsEveryModelSaysItServes() {
        known.serves("open", "gpt-4o", "o3");
        var service = service(upstream("open"), upstream("strict").models("llama"));

        assertThat(service.listModels()).containsExactly("gpt-4o", "llama", "o3");
    }

    /** With an allow-list, only the allow-list can be requested: the upstream's own list would promise too much. */
    @Test
    void ignoresWhatAnUpstreamWithAnAllowListSaysItServes() {
        known.serves("strict", "gpt-4o", "o3");

        assertThat(service(upstream("strict").models("o3")).listModels()).containsExactly("o3");
        assertThat(known.askedFor).isEmpty();
    }

    @Test
    void removesDuplicatesBetweenConfiguredAndListedNames() {
        known.serves("open", "gpt-4o", "o3");
        var service = service(upstream("open"), upstream("strict").models("gpt-4o"));

        assertThat(service.listModels()).containsExactly("gpt-4o", "o3");
    }

    @Test
    void listsNothingWhenNoUpstreamNamesAModel() {
        assertThat(service(upstream("a")).listModels()).isEmpty();
    }

    /**
     * Spec §4.1: every listed model must be requestable, so a mapping key or target that the same upstream's
     * allow-list excludes is not listed.
     */
    @Test
    void listsOnlyModelsThatCanBeRequested() {
        known.serves("open", "o3");
        var upstreams = catalog(
                upstream("a").models("gpt-4o").mappings(Map.of("fast", "gpt-4o-mini", "gpt-4o", "gpt-4o-2024")),
                upstream("open").mappings(Map.of("cheap", "llama")));
        var selector = new CandidateSelector(upstreams, Map.of("openai", ScriptedUpstream.openai()));

        var listed = new ListModelsService(upstreams, known).listModels();

        assertThat(listed).containsExactly("cheap", "gpt-4o", "llama", "o3");
        assertThat(listed).allSatisfy(model -> assertThat(selector.select(
                new ForwardRequestCommand(InboundFormat.CHAT, model, false, new byte[0], Set.of("*"))))
                .as(model).isInstanceOf(CandidateSelection.Candidates.class));
    }

    /** A hand-written {@link KnownUpstreamModelsPort}: what each upstream is known to serve, and who was asked. */
    private static final class KnownModels implements KnownUpstreamModelsPort {
        private final Map<String, List<String>> byUpstream = new HashMap<>();
        private final List<String> askedFor = new ArrayList<>();

        void serves(String upstreamId, String... ids) {
            byUpstream.put(upstreamId, List.of(ids));
        }

        @Override
        public Map<String, List<String>> knownModels(Collection<Upstream> upstreams) {
            var known = new HashMap<String, List<String>>();
            for (var upstream : upstreams) {
                askedFor.add(upstream.id());
                known.put(upstream.id(), byUpstream.getOrDefault(upstream.id(), List.of()));
            }
            return known;
        }
    }
}
