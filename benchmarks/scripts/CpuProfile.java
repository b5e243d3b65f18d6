import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples fall, in the two views docs/benchmark.md reports:
 * <ul>
 *   <li>by the gateway's own method nearest the top of each sample, so that the time spent inside a library on our
 *       behalf (Helidon, Jackson, SQLite) is charged to the call of ours that caused it;</li>
 *   <li>inclusive: the share of samples a method is anywhere on the stack of.</li>
 * </ul>
 * Record with deep stacks, or the view of ours is cut off at the library frames, and with debug information at every
 * instruction, or samples are charged to the nearest point that has it, often another method:
 * {@code EXTRA="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:FlightRecorderOptions=stackdepth=512
 * -XX:StartFlightRecording=filename=cpu.jfr,settings=profile" benchmarks/scripts/long-runs.sh soak 60}, then
 * {@code java benchmarks/scripts/CpuProfile.java cpu.jfr [rows]}.
 * JFR samples threads running Java code; time in system calls and in the collector is not in these shares.
 */
public class CpuProfile {

    private static final String OURS = "dev.tokenproxy.";

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java CpuProfile.java RECORDING.jfr [ROWS]");
            System.exit(2);
        }
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Map<String, Integer> byOurCaller = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (var event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            byOurCaller.merge(ourNearestCaller(frames), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (var frame : frames) {
                if (frame.isJavaFrame() && seen.add(name(frame))) {
                    inclusive.merge(name(frame), 1, Integer::sum);
                }
            }
        }
        System.out.printf("%d CPU samples%n%n-- by the gateway's method nearest the top --%n", samples);
        print(byOurCaller, samples, rows);
        System.out.printf("%n-- inclusive --%n");
        print(inclusive, samples, rows);
    }

    private static String ourNearestCaller(List<RecordedFrame> frames) {
        for (var frame : frames) {
            if (frame.isJavaFrame() && frame.getMethod().getType().getName().startsWith(OURS)) {
                return name(frame);
            }
        }
        return "(no frame of ours) " + name(frames.getLast());
    }

    private static String name(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        int lambda = type.indexOf("$$Lambda");
        return (lambda < 0 ? type : type.substring(0, lambda)) + "." + frame.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int samples, int rows) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> System.out.printf("%5.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
}
