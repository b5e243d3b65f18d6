package dev.tokenproxy.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class BackgroundLineWriterTest {

    private static LogRecord line(String message) {
        var record = new LogRecord(Level.INFO, message);
        record.setLoggerName("dev.tokenproxy.requests");
        return record;
    }

    @Test
    void linesFromManyRequestThreadsAllArriveWholeAndInTheOrderEachThreadWroteThem() throws Exception {
        var out = new ByteArrayOutputStream();
        var writer = new BackgroundLineWriter(out);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                int thread = t;
                threads.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        writer.publish(line("thread " + thread + " line " + i));
                    }
                });
            }
        }
        writer.flush();

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(16 * 500).allMatch(l -> l.matches(".* INFO dev\\.tokenproxy\\.requests - "
                + "thread \\d+ line \\d+"));
        for (int t = 0; t < 16; t++) {
            String prefix = " - thread " + t + " line ";
            List<Integer> order = lines.stream().filter(l -> l.contains(prefix))
                    .map(l -> Integer.parseInt(l.substring(l.indexOf(prefix) + prefix.length()))).toList();
            assertThat(order).as("thread %d", t).isSorted().hasSize(500);
        }
        writer.close();
    }

    @Test
    void aStderrThatNobodyReadsNeverBlocksTheCallerAndWhatWasDroppedIsCounted() throws Exception {
        var released = new CountDownLatch(1);
        var writing = new CountDownLatch(1);
        var out = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() { // a pipe whose reader went away: writes block until released
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws java.io.IOException {
                writing.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                out.write(bytes, off, len);
            }
        };
        var writer = new BackgroundLineWriter(stuck, 10, BackgroundLineWriter.DEFAULT_GATHER);
        writer.publish(line("first"));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue(); // the writer thread is stuck in write

        for (int i = 0; i < 25; i++) { // returns at once although nothing can be written
            writer.publish(line("waiting " + i));
        }
        released.countDown();
        writer.flush();

        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("first").contains("waiting 0").contains("waiting 9").doesNotContain("waiting 10")
                .contains("(15 log lines dropped: the log output did not keep up)");
        writer.close();
    }

    @Test
    void linesThatArriveWhileTheWriterGathersAreWrittenInOneWrite() throws Exception {
        var writes = new ArrayList<String>();
        var written = new CountDownLatch(1);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public synchronized void write(byte[] bytes, int off, int len) {
                writes.add(new String(bytes, off, len, StandardCharsets.UTF_8));
                written.countDown();
            }
        };
        // A gathering time far longer than publishing takes, so that the batch does not depend on this thread's speed.
        var writer = new BackgroundLineWriter(out, 1_000, Duration.ofSeconds(1));
        writer.publish(line("line 0"));
        assertThat(written.await(100, TimeUnit.MILLISECONDS)).as("the first line is held while more gather").isFalse();
        for (int i = 1; i < 100; i++) {
            writer.publish(line("line " + i));
        }

        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue(); // no flush: the writer thread wrote them
        synchronized (out) {
            assertThat(writes).singleElement().satisfies(batch ->
                    assertThat(batch.lines()).hasSize(100).first().asString().endsWith(" - line 0"));
        }
        writer.close();
    }

    @Test
    void flushWritesEverythingHandedOverBeforeItReturns() {
        var out = new ByteArrayOutputStream();
        var writer = new BackgroundLineWriter(out);
        var expected = new ArrayList<String>();
        for (int i = 0; i < 1_000; i++) {
            writer.publish(line("line " + i));
            expected.add("line " + i);
        }
        writer.flush();

        assertThat(out.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(l.indexOf(" - ") + 3)))
                .containsExactlyElementsOf(expected);
        writer.close();
    }

    @Test
    void closeWritesWhatIsLeftAndLaterLinesAreIgnored() {
        var out = new ByteArrayOutputStream();
        var writer = new BackgroundLineWriter(out);
        writer.publish(line("before close"));
        writer.close();
        writer.publish(line("after close"));
        writer.flush();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("before close").doesNotContain("after close");
    }
}
