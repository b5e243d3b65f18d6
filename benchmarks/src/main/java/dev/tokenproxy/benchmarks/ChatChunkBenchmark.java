package dev.tokenproxy.benchmarks;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatChunk;
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
 * What a chat stream pays to decide about one chunk: the tree ({@link ChatChunk#of}, which translating streams need)
 * against the token scan ({@link ChatChunk#scan}, for chunks passed on as they came). The chunk is the benchmark
 * mock's content chunk, about the size of a real one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChatChunkBenchmark {

    private static final String TOKEN_CHUNK = "{\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_bench\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}";

    @Benchmark
    public ChatChunk tree() {
        return ChatChunk.of(TOKEN_CHUNK);
    }

    @Benchmark
    public ChatChunk scan() {
        return ChatChunk.scan(TOKEN_CHUNK);
    }
}
