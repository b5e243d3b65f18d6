package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.application.model.ProviderOptions;
import dev.tokenproxy.application.spi.OptionsNode;
import dev.tokenproxy.application.spi.ProviderConfigSection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@code mock} upstream's {@code mock:} field (docs/configuration.md, "Mock upstreams"):
 * <pre>
 * mock:
 *   faults:
 *     - { kind: status, status: 503, retry_after_seconds: 2, every: 2 }
 *     - { kind: cut, after_chunks: 3, first: 1 }
 * </pre>
 * Each fault has a {@code kind}, the fields of that kind and at most one schedule ({@code every} or {@code first};
 * neither: every attempt). A field that does not belong to the kind is refused, so a typo cannot pass as a fault
 * that never fires.
 */
final class MockConfigSection implements ProviderConfigSection {

    /** A mock upstream makes no connection; .invalid (RFC 2606) can never resolve, should anything try. */
    private static final URI NO_NETWORK = URI.create("http://mock.invalid");
    /** Longer than any first-output timeout is a stall: say so rather than accept a typo of "stall". */
    private static final long MAX_DELAY_MS = 3_600_000;
    private static final String KINDS = "status, reset, stall, cut, empty, slow_first_token";
    private static final Set<String> SCHEDULE = Set.of("every", "first");

    @Override
    public Optional<String> field() {
        return Optional.of(MockAdapter.PROVIDER);
    }

    @Override
    public Optional<URI> defaultBaseUrl() {
        return Optional.of(NO_NETWORK);
    }

    @Override
    public ProviderOptions read(OptionsNode options) {
        options.requireObject(Set.of("faults"));
        var steps = new ArrayList<MockScript.Step>();
        for (var item : options.field("faults").list()) {
            String kind = item.requireObject(Set.of("kind", "status", "retry_after_seconds", "after_chunks",
                    "delay_ms", "every", "first")).field("kind").requiredString();
            steps.add(new MockScript.Step(fault(item, kind), schedule(item)));
        }
        return new MockScript(steps);
    }

    private static MockFault fault(OptionsNode item, String kind) {
        return switch (kind) {
            case "status" -> {
                only(item, "status", "retry_after_seconds");
                if (!item.field("status").isPresent()) {
                    throw item.field("status").invalid("is required for kind 'status'");
                }
                int status = (int) item.field("status").integer(0, 400, 599);
                var retryAfter = item.field("retry_after_seconds");
                yield new MockFault.Status(status, retryAfter.isPresent()
                        ? Optional.of((int) retryAfter.integer(0, 0, 86_400)) : Optional.empty());
            }
            case "reset" -> {
                only(item);
                yield new MockFault.Reset();
            }
            case "stall" -> {
                only(item);
                yield new MockFault.Stall();
            }
            case "cut" -> {
                only(item, "after_chunks");
                yield new MockFault.Cut((int) item.field("after_chunks").integer(1, 0, 100_000));
            }
            case "empty" -> {
                only(item);
                yield new MockFault.EmptyCompletion();
            }
            case "slow_first_token" -> {
                only(item, "delay_ms");
                if (!item.field("delay_ms").isPresent()) {
                    throw item.field("delay_ms").invalid("is required for kind 'slow_first_token'");
                }
                yield new MockFault.SlowFirstToken(
                        Duration.ofMillis(item.field("delay_ms").integer(0, 0, MAX_DELAY_MS)));
            }
            default -> throw item.field("kind").invalid("must be one of " + KINDS + ", got "
                    + item.field("kind").quoted(kind));
        };
    }

    /** Refuses a field of another kind: {@code after_chunks} on a status fault would be silently unused. */
    private static void only(OptionsNode item, String... fieldsOfKind) {
        var allowed = new HashSet<>(Set.of(fieldsOfKind));
        allowed.add("kind");
        allowed.addAll(SCHEDULE);
        String kind = item.field("kind").requiredString();
        for (String field : Set.of("status", "retry_after_seconds", "after_chunks", "delay_ms")) {
            if (!allowed.contains(field) && item.field(field).isPresent()) {
                throw item.field(field).invalid("does not apply to kind '" + kind + "'");
            }
        }
    }

    private static MockSchedule schedule(OptionsNode item) {
        var every = item.field("every");
        var first = item.field("first");
        if (every.isPresent() && first.isPresent()) {
            throw first.invalid("cannot be combined with 'every': a fault has one schedule");
        }
        if (every.isPresent()) {
            return new MockSchedule.Every((int) every.integer(1, 1, 1_000_000));
        }
        if (first.isPresent()) {
            return new MockSchedule.First((int) first.integer(1, 1, 1_000_000));
        }
        return new MockSchedule.Always();
    }
}
