package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenproxy.adapter.out.upstream.mock.MockFault;
import dev.tokenproxy.adapter.out.upstream.mock.MockSchedule;
import dev.tokenproxy.adapter.out.upstream.mock.MockScript;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.model.ProviderOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A {@code mock} upstream's own part of the configuration: its faults, validated with field paths. */
class MockOptionsConfigTest {

    @TempDir
    Path folder;
    private ConfigFiles files;

    @BeforeEach
    void setUp() {
        files = new ConfigFiles(folder, Map.of());
    }

    private static String mockWith(String extra) {
        return """
                upstreams:
                  - id: m
                    provider: mock
                """ + extra.indent(4);
    }

    private void assertRefusedAt(String yaml, String path, String problem) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> files.load(yaml));
        assertThat(e).as("refusal of:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).startsWith(path + ": ").contains(problem).doesNotContain("\n");
    }

    @Test
    void aMockUpstreamNeedsNoBaseUrlNoKeyAndNoFaults() {
        var upstream = files.load(mockWith("")).upstreams().upstreams().getFirst();

        assertThat(upstream.provider()).isEqualTo("mock");
        assertThat(upstream.baseUrl()).isEqualTo(URI.create("http://mock.invalid"));
        assertThat(upstream.credentialSource()).isEqualTo(new CredentialSource.None());
        assertThat(upstream.providerOptions()).isEqualTo(MockScript.ANSWERS_ALWAYS);
    }

    @Test
    void everyFaultKindIsReadWithItsFieldsAndSchedule() {
        var upstream = files.load(mockWith("""
                mock:
                  faults:
                    - { kind: status, status: 503, retry_after_seconds: 2, every: 2 }
                    - { kind: status, status: 429, first: 1 }
                    - { kind: reset, first: 3 }
                    - { kind: stall, every: 5 }
                    - { kind: cut, after_chunks: 3 }
                    - { kind: cut }
                    - { kind: empty }
                    - { kind: slow_first_token, delay_ms: 1500 }
                """)).upstreams().upstreams().getFirst();

        assertThat(upstream.providerOptions()).isEqualTo(new MockScript(List.of(
                step(new MockFault.Status(503, Optional.of(2)), new MockSchedule.Every(2)),
                step(new MockFault.Status(429, Optional.empty()), new MockSchedule.First(1)),
                step(new MockFault.Reset(), new MockSchedule.First(3)),
                step(new MockFault.Stall(), new MockSchedule.Every(5)),
                step(new MockFault.Cut(3), new MockSchedule.Always()),
                step(new MockFault.Cut(1), new MockSchedule.Always()),
                step(new MockFault.EmptyCompletion(), new MockSchedule.Always()),
                step(new MockFault.SlowFirstToken(Duration.ofMillis(1500)), new MockSchedule.Always()))));
    }

    @Test
    void aConfigFileWithoutMockUpstreamsHasNothingMock() {
        var config = files.load("""
                upstreams:
                  - { id: o, provider: openai, base_url: "https://api.openai.com/v1", api_keys: [k] }
                """);

        assertThat(config.upstreams().upstreams()).singleElement()
                .satisfies(u -> assertThat(u.providerOptions()).isEqualTo(ProviderOptions.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'mock: { faults: [ { kind: boom } ] }'                          | upstreams[0].mock.faults[0].kind                | must be one of status, reset, stall, cut, empty, slow_first_token, got 'boom'",
        "'mock: { faults: [ { status: 503 } ] }'                         | upstreams[0].mock.faults[0].kind                | is required",
        "'mock: { faults: [ { kind: status } ] }'                        | upstreams[0].mock.faults[0].status              | is required for kind 'status'",
        "'mock: { faults: [ { kind: status, status: 200 } ] }'           | upstreams[0].mock.faults[0].status              | must be between 400 and 599, got 200",
        "'mock: { faults: [ { kind: status, status: 503, retry_after_seconds: -1 } ] }' | upstreams[0].mock.faults[0].retry_after_seconds | must be between 0 and 86400",
        "'mock: { faults: [ { kind: reset, status: 503 } ] }'            | upstreams[0].mock.faults[0].status              | does not apply to kind 'reset'",
        "'mock: { faults: [ { kind: cut, after_chunks: -2 } ] }'         | upstreams[0].mock.faults[0].after_chunks        | must be between 0 and",
        "'mock: { faults: [ { kind: slow_first_token } ] }'              | upstreams[0].mock.faults[0].delay_ms            | is required for kind 'slow_first_token'",
        "'mock: { faults: [ { kind: stall, every: 2, first: 1 } ] }'     | upstreams[0].mock.faults[0].first               | cannot be combined with 'every'",
        "'mock: { faults: [ { kind: stall, every: 0 } ] }'               | upstreams[0].mock.faults[0].every               | must be between 1 and",
        "'mock: { faults: [ { kind: stall, evry: 2 } ] }'                | upstreams[0].mock.faults[0].evry                | unknown field",
        "'mock: { fault: [] }'                                           | upstreams[0].mock.fault                         | unknown field",
        "'mock: { faults: { kind: stall } }'                             | upstreams[0].mock.faults                        | must be a list",
        "'api_keys: [sk-unused]'                                         | upstreams[0].api_keys                           | provider 'mock' needs no credential",
        "'account: alice'                                                | upstreams[0].account                            | provider 'mock' needs no credential",
    })
    void invalidMockOptionsAreRefusedNamingTheField(String extra, String path, String problem) {
        assertRefusedAt(mockWith(extra), path, problem);
    }

    @Test
    void mockOptionsOnAnotherProvidersUpstreamAreRefused() {
        assertRefusedAt("""
                upstreams:
                  - id: o
                    provider: openai
                    base_url: https://api.openai.com/v1
                    api_keys: [k]
                    mock: { faults: [ { kind: reset } ] }
                """, "upstreams[0].mock", "applies only to upstreams of provider 'mock', not 'openai'");
    }

    private static MockScript.Step step(MockFault fault, MockSchedule when) {
        return new MockScript.Step(fault, when);
    }
}
