package dev.tokenproxy.benchmarks;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatCompletionCheck;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What judging a whole chat completion costs (behaviour §2: deliverable, empty, or not a completion): the tree of the
 * body ({@link ChatCompletionCheck#ofTree}, which a provider that echoes the model needs anyway) against the token
 * scan ({@link ChatCompletionCheck#of}, for bodies delivered as they came). The body is the benchmark mock's
 * completion.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChatCompletionBenchmark {

    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion\","
            + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Hello! This is a fixed answer from the benchmark mock upstream, "
            + "about as long as a short real reply.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":22,\"total_tokens\":46},"
            + "\"system_fingerprint\":\"fp_bench\"}").getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public ChatCompletionCheck tree() {
        return ChatCompletionCheck.ofTree(ChatJson.object(COMPLETION));
    }

    @Benchmark
    public ChatCompletionCheck scan() {
        return ChatCompletionCheck.of(COMPLETION);
    }
}
