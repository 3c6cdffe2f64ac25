package dev.tally.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./tally bench}: runs the benchmarks and prints each as a ratio to its group's baseline
 * measured in the same run (these machines are shared; absolute figures wander, ratios less so).
 * Arguments: an optional regex of benchmarks to run; TALLY_BENCH_QUICK=1 for a smoke run.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = "1".equals(System.getenv("TALLY_BENCH_QUICK"));
        Options options = new OptionsBuilder()
                .include(args.length > 0 ? args[0] : "dev\\.tally\\.bench\\..*")
                .forks(1)
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("-Xmx1g")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, List<RunResult>> byClass = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            byClass.computeIfAbsent(name.substring(0, name.lastIndexOf('.')), k -> new ArrayList<>()).add(r);
        }
        System.out.println();
        System.out.printf("%-58s %16s %10s %14s%n", "benchmark", "ops/s", "± (99.9%)", "× baseline");
        for (var e : byClass.entrySet()) {
            double baseline = e.getValue().stream().filter(r -> r.getParams().getBenchmark().contains(".baseline"))
                    .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
            for (RunResult r : e.getValue()) {
                String name = r.getParams().getBenchmark();
                double score = r.getPrimaryResult().getScore();
                System.out.printf("%-58s %16.0f %10.0f %14s%n", name.substring("dev.tally.bench.".length()), score,
                        r.getPrimaryResult().getScoreError(), Double.isNaN(baseline) ? "-" : String.format("%.4f", score / baseline));
            }
        }
    }
}
