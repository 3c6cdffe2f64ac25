package dev.tally.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * {@code ./tally bench scale-out}: the pipeline load ({@link PipelineLoad}) run twice in one go on this box — with one
 * instance of ingest and rating, then with two of each (the load spread over both ingest instances, the rating
 * instances sharing the partitions) — each run's figures written by {@link #write}, then printed side by side by
 * {@link #main} with the ratio of the second to the first and where the CPU went.
 */
public final class ScaleOutReport {
    private ScaleOutReport() {
    }

    static void write(Path file, int instances, double acceptedPerSecond, double ratedPerSecond, double ratedWithDrain, double p99, boolean exact,
            CpuProfile cpu) throws IOException {
        Properties p = new Properties();
        p.setProperty("instances", Integer.toString(instances));
        p.setProperty("accepted events/s", String.format(Locale.ROOT, "%.0f", acceptedPerSecond));
        p.setProperty("rated events/s during the load", String.format(Locale.ROOT, "%.0f", ratedPerSecond));
        p.setProperty("rated events/s including the drain", String.format(Locale.ROOT, "%.0f", ratedWithDrain));
        p.setProperty("ingest request latency p99 (ms)", String.format(Locale.ROOT, "%.1f", p99));
        p.setProperty("exact", Boolean.toString(exact));
        p.setProperty("machine busy (%)", String.format(Locale.ROOT, "%.0f", cpu.busyShare() * 100));
        for (Map.Entry<String, Double> e : cpu.seconds().entrySet()) {
            p.setProperty("cores: " + e.getKey(), String.format(Locale.ROOT, "%.2f", e.getValue() / cpu.wallSeconds()));
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "one pipeline run of ./tally bench scale-out");
        }
    }

    public static void main(String[] args) throws IOException {
        Properties one = read(Path.of(args[0]));
        Properties two = read(Path.of(args[1]));
        System.out.println();
        System.out.printf("%-48s %12s %12s %10s%n", "scale-out on this box", one.getProperty("instances") + " instance", two.getProperty("instances")
                + " instances", "ratio");
        for (String k : new String[] {"accepted events/s", "rated events/s during the load", "rated events/s including the drain",
                "ingest request latency p99 (ms)", "machine busy (%)"}) {
            row(k, one.getProperty(k), two.getProperty(k));
        }
        TreeSet<String> cores = new TreeSet<>();
        for (Properties p : new Properties[] {one, two}) {
            p.stringPropertyNames().stream().filter(k -> k.startsWith("cores: ")).forEach(cores::add);
        }
        for (String k : cores) {
            row(k.replace("cores: ", "cores used: "), one.getProperty(k, "-"), two.getProperty(k, "-"));
        }
        System.out.printf("%-48s %12s %12s%n", "every event rated exactly once, no failed request", yes(one), yes(two));
    }

    private static void row(String name, String a, String b) {
        String ratio = "";
        try {
            double x = Double.parseDouble(a);
            double y = Double.parseDouble(b);
            ratio = x == 0 ? "" : String.format(Locale.ROOT, "%.2f", y / x);
        } catch (NumberFormatException | NullPointerException e) {
            // a process that ran in one configuration only
        }
        System.out.printf("%-48s %12s %12s %10s%n", name, a, b, ratio);
    }

    private static String yes(Properties p) {
        return Boolean.parseBoolean(p.getProperty("exact")) ? "yes" : "NO";
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
