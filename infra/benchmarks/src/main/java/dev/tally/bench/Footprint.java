package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resident memory (RSS, from {@code /proc/<pid>/status}) of the platform's services while a load runs, sampled once
 * a second: each service's process id comes from the launcher's pid file ({@code $TALLY_HOME/run/<service>.pid}). Prints
 * the peak and the last sample per service against issue 20's budget (256 MB in JVM mode).
 */
final class Footprint {
    static final long BUDGET_MB = 256;

    private final Path home;
    private final List<String> services;
    private final Map<String, long[]> kb = new LinkedHashMap<>(); // service → {peak, last}
    private volatile boolean running;
    private Thread sampler;

    Footprint(Path home, List<String> services) {
        this.home = home;
        this.services = services;
    }

    void start() {
        running = true;
        sampler = Thread.ofPlatform().daemon().name("footprint").start(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void stop() throws InterruptedException {
        running = false;
        sampler.join();
        sample();
    }

    private void sample() {
        for (String s : services) {
            long rss = rssKb(s);
            if (rss > 0) {
                long[] v = kb.computeIfAbsent(s, k -> new long[2]);
                v[0] = Math.max(v[0], rss);
                v[1] = rss;
            }
        }
    }

    private long rssKb(String service) {
        try {
            String pid = Files.readString(home.resolve("run").resolve(service + ".pid")).trim();
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1; // not started by the launcher here, or gone
        }
        return -1;
    }

    void print() {
        System.out.println();
        System.out.printf("%-48s %10s %10s%n", "footprint (RSS during the load, MB)", "peak", "last");
        for (Map.Entry<String, long[]> e : kb.entrySet()) {
            long peak = e.getValue()[0] / 1024;
            System.out.printf("%-48s %10d %10d  %s%n", e.getKey(), peak, e.getValue()[1] / 1024,
                    peak < BUDGET_MB ? "✔ < " + BUDGET_MB + " MB" : "✘ ≥ " + BUDGET_MB + " MB");
        }
        if (kb.isEmpty()) {
            System.out.println("(no service pid files under " + home.resolve("run") + ": started another way)");
        }
    }
}
