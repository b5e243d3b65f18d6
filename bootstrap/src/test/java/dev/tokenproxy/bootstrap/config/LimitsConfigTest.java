package dev.tokenproxy.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code limits} section: defaults derived from what the host grants, and values it cannot honour refused. */
class LimitsConfigTest {

    private static final long GIB = 1024L * 1024 * 1024;

    private static GatewayConfig load(String yaml, HostLimits host) throws Exception {
        var tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return new ConfigLoader(Map.of(), host).read(tree, "test", Path.of("."));
    }

    @Test
    void defaultsComeFromTheOpenFileLimitAndTheHeap() throws Exception {
        var limits = load("listen: { port: 0 }", new HostLimits(1024, 4 * GIB)).limits();

        assertThat(limits.maxConnections()).isEqualTo((1024 - 256) / 2);
        assertThat(limits.maxInFlightBytes()).isEqualTo(2 * GIB);
        assertThat(limits.maxUpstreamBodyBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(limits.headerTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(limits.bodyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(limits.idleConnection()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aGenerousOpenFileLimitStillCapsTheDefaultConnectionCount() throws Exception {
        assertThat(load("{}", new HostLimits(1_048_576, GIB)).limits().maxConnections()).isEqualTo(10_000);
    }

    @Test
    void anUnknownOpenFileLimitLeavesTheConfiguredConnectionCountAlone() throws Exception {
        var limits = load("limits: { max_connections: 50000 }", new HostLimits(0, GIB)).limits();

        assertThat(limits.maxConnections()).isEqualTo(50_000);
    }

    @Test
    void moreConnectionsThanTheOpenFileLimitAllowsAreRefusedNamingTheField() {
        var e = catchThrowableOfType(ConfigException.class,
                () -> load("limits: { max_connections: 600 }", new HostLimits(1024, GIB)));

        assertThat(e.getMessage()).startsWith("limits.max_connections: ").contains("1456 open files", "1024");
    }

    @Test
    void aBudgetOfBytesInFlightSmallerThanOneAllowedRequestIsRefused() {
        var e = catchThrowableOfType(ConfigException.class, () -> load(
                "max_request_body_bytes: 20971520\nlimits: { max_in_flight_bytes: 10485760 }",
                new HostLimits(1024, GIB)));

        assertThat(e.getMessage()).startsWith("limits.max_in_flight_bytes: ").contains("max_request_body_bytes");
    }

    @Test
    void theDefaultBudgetNeverFallsBelowTheLargestAllowedRequest() throws Exception {
        var limits = load("max_request_body_bytes: 134217728", new HostLimits(1024, 64L * 1024 * 1024)).limits();

        assertThat(limits.maxInFlightBytes()).isEqualTo(134_217_728L);
    }

    @Test
    void unknownLimitFieldsAreRefused() {
        var e = catchThrowableOfType(ConfigException.class,
                () -> load("limits: { max_conections: 10 }", new HostLimits(1024, GIB)));

        assertThat(e.getMessage()).startsWith("limits.max_conections");
    }
}
