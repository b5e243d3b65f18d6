package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.application.model.ProviderOptions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of a {@code mock} upstream (configuration: {@code mock.faults}): the faults it plays, each on its own
 * schedule. Without faults the upstream always answers.
 */
public record MockScript(List<Step> faults) implements ProviderOptions {

    /** A mock upstream that always answers. */
    public static final MockScript ANSWERS_ALWAYS = new MockScript(List.of());

    public MockScript {
        faults = List.copyOf(faults);
    }

    /** The fault that attempt number {@code attempt} (from 1) meets: the first listed whose schedule hits it. */
    public Optional<MockFault> faultFor(long attempt) {
        return faults.stream().filter(step -> step.when().hits(attempt)).map(Step::fault).findFirst();
    }

    /** One fault and the attempts it hits. */
    public record Step(MockFault fault, MockSchedule when) {
        public Step {
            Objects.requireNonNull(fault, "fault");
            Objects.requireNonNull(when, "when");
        }
    }
}
