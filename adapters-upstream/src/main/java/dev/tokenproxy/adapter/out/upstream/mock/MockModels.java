package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import java.util.List;

/**
 * What a mock upstream lists in {@code GET /v1/models}. It answers any model name, so these are examples a newcomer
 * can copy into a first request, not a limit: the ids of the README's quick start.
 */
public final class MockModels implements FetchUpstreamModelsPort {

    public static final List<String> LISTED = List.of("gpt-4o-mini", "mock-echo");

    @Override
    public String provider() {
        return MockAdapter.PROVIDER;
    }

    @Override
    public Result fetch(Upstream upstream) {
        return new Result.Listed(LISTED);
    }
}
