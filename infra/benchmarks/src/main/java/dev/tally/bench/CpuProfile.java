package dev.tally.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the box's CPU went during a load: CPU seconds (user + system, from {@code /proc/<pid>/stat}) of each service
 * the launcher started (its pid file, {@code $TALLY_HOME/run/<service>.pid}), of Kafka ({@code kafka*&#47;kafka.pid}),
 * of every PostgreSQL process (by name) and of this load generator, between {@link #start} and {@link #stop}, and the
 * machine's busy share over the same time ({@code /proc/stat}). On a box this size the load generator shares the cores,
 * so its share is printed beside the services'.
 */
final class CpuProfile {
    private static final long TICKS = 100; // USER_HZ on Linux

    private final Path home;
    private final List<String> services;
    private Map<String, Long> before;
    private long[] machineBefore;
    private long t0;
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private double wall;
    private double busyShare;

    CpuProfile(Path home, List<String> services) {
        this.home = home;
        this.services = services;
    }

    void start() {
        before = ticks();
        machineBefore = machine();
        t0 = System.nanoTime();
    }

    void stop() {
        Map<String, Long> after = ticks();
        long[] machineAfter = machine();
        wall = (System.nanoTime() - t0) / 1e9;
        after.forEach((name, t) -> seconds.put(name, (t - before.getOrDefault(name, t)) / (double) TICKS));
        long total = machineAfter[0] - machineBefore[0];
        busyShare = total == 0 ? 0 : 1 - (machineAfter[1] - machineBefore[1]) / (double) total;
    }

    /** CPU seconds per process group over the measured time. */
    Map<String, Double> seconds() {
        return seconds;
    }

    double wallSeconds() {
        return wall;
    }

    /** The machine's busy share (all cores) over the measured time, 0..1. */
    double busyShare() {
        return busyShare;
    }

    void print() {
        System.out.println();
        System.out.printf("%-48s %10s %10s%n", "CPU during the load", "cpu s", "cores");
        seconds.forEach((name, s) -> System.out.printf("%-48s %10.1f %10.2f%n", name, s, s / wall));
        System.out.printf("%-48s %10s %9.0f%%%n", "machine busy (" + Runtime.getRuntime().availableProcessors() + " cores)", "", busyShare * 100);
    }

    private Map<String, Long> ticks() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : services) {
            pidFrom(home.resolve("run").resolve(s + ".pid")).ifPresent(pid -> out.put(s, ticksOf(pid)));
        }
        long kafka = 0;
        long postgres = 0;
        try (Stream<Path> dirs = Files.list(home)) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("kafka") && Files.isDirectory(d)).toList()) {
                kafka += pidFrom(d.resolve("kafka.pid")).map(CpuProfile::ticksOf).orElse(0L);
            }
        } catch (IOException e) {
            // no stack here
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (comm(p).equals("postgres")) {
                    postgres += ticksOf(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        out.put("kafka", kafka);
        out.put("postgres (all its processes)", postgres);
        out.put("load generator (this JVM)", ticksOf(Long.toString(ProcessHandle.current().pid())));
        return out;
    }

    private static Optional<String> pidFrom(Path file) {
        try {
            return Optional.of(Files.readString(file).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat, counted after the command's closing parenthesis). */
    private static long ticksOf(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // gone
        }
    }

    /** {total, idle} jiffies of all cores. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }
}
