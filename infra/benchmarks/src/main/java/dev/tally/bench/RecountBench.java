package dev.tally.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tally.invoicing.reconcile.ArchiveRecount;
import dev.tally.invoicing.storage.DirectoryStore;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.Recount;
import dev.tally.platform.json.AcceptedEventReader;
import dev.tally.platform.json.TallyJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.duckdb.DuckDBDriver;

/**
 * {@code ./tally bench recount [--events 10000000] [--customers 1000] [--dir target/recount-bench]}: issue 24's recount of
 * one tenant-month from the event archive. Writes {@code --events} archived events of one tenant over the 30 days of a
 * month in the archive's layout and schema (one file per day, as compaction leaves them; every 50th row a re-published
 * copy, every 200th event amended, every 500th retracted), then times, by the same engine (DuckDB) over the same files:
 * a scan inside DuckDB, a plain scan into the JVM (the columns the recount reads, by JDBC) and the recount reconciliation runs
 * ({@link ArchiveRecount#count}: final states resolved in DuckDB, each parsed and folded through a SUM and a COUNT
 * meter). Prints both and their ratio, and checks the recount against the same sums computed in SQL.
 */
public final class RecountBench {
    private static final String TENANT = "ten_bench";
    private static final LocalDate MONTH = LocalDate.parse("2026-11-01");
    private static final int DAYS = 30;

    private RecountBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long events = Long.parseLong(opts.getOrDefault("events", "10000000"));
        int customers = Integer.parseInt(opts.getOrDefault("customers", "1000"));
        Path dir = Path.of(opts.getOrDefault("dir", "target/recount-bench")).toAbsolutePath();
        List<Path> files = generate(dir, events, customers);
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        long rows = rows(files);
        System.out.printf("archive: %,d events (%,d rows with copies and corrections) of one tenant over %d days, %d files, %,d bytes (%.1f per row)%n",
                events, rows, DAYS, files.size(), bytes, (double) bytes / rows);

        long t0 = System.nanoTime();
        scan(files, "select count(*), sum(length(value)) from read_parquet(" + list(files) + ") where tenant_id = '" + TENANT + "'");
        double inEngine = (System.nanoTime() - t0) / 1e9;
        System.out.printf("scan inside DuckDB (every value's length summed; no row leaves the engine):  %7.1f s  %,12.0f rows/s%n", inEngine,
                rows / inEngine);
        t0 = System.nanoTime();
        scan(files, "select event_id, schema, value from read_parquet(" + list(files) + ") where tenant_id = '" + TENANT + "'");
        double scan = (System.nanoTime() - t0) / 1e9;
        System.out.printf("plain scan into the JVM (every row's event id, schema and value, by JDBC):     %7.1f s  %,12.0f rows/s%n", scan, rows / scan);

        // read as invoicing reads the archive: the platform's streaming reader, its JSON settings behind it (decimals exact)
        AcceptedEventReader reader = new AcceptedEventReader(TallyJson.configure(new ObjectMapper().registerModule(new JavaTimeModule())).configure(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false));
        List<MeterDefinition> meters = List.of(new MeterDefinition("bandwidth", "bytes", Aggregation.SUM, "bytes"), new MeterDefinition("requests",
                "bytes", Aggregation.COUNT, null));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        Path scratch = dir.resolve("scratch");
        long[] spilled = {0};
        Thread watch = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                spilled[0] = Math.max(spilled[0], size(scratch));
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        t0 = System.nanoTime();
        ArchiveRecount.Counted counted = ArchiveRecount.count(new DirectoryStore(dir), files.stream().map(f -> dir.relativize(f)
                .toString()).toList(), TENANT, new Recount(), meters, 20, scratch, reader::read);
        double recount = (System.nanoTime() - t0) / 1e9;
        watch.interrupt();
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        System.out.printf("recount (final states resolved in DuckDB, parsed and folded in Java):           %7.1f s  %,12.0f rows/s%n", recount,
                rows / recount);
        System.out.printf("recount ÷ plain scan into the JVM: %.2f×; recount ÷ scan inside DuckDB: %.2f×%n", recount / scan, recount / inEngine);
        System.out.printf("heap held after the recount (after a GC): %,d MB (before: %,d MB); %d keys; DuckDB spilled at most %,d MB to disk%n",
                heapAfter >> 20, heapBefore >> 20, counted.counted().size(), spilled[0] >> 20);
        check(files, counted.counted());
    }

    /** Writes the month's files unless they are there already (a rerun with the same size reuses them). */
    private static List<Path> generate(Path dir, long events, int customers) throws Exception {
        Path marker = dir.resolve("v2-events-" + events + "-customers-" + customers);
        List<Path> files = new ArrayList<>();
        for (int d = 0; d < DAYS; d++) {
            files.add(dir.resolve("tenant=" + TENANT).resolve("day=" + MONTH.plusDays(d)).resolve("accepted-compacted.parquet"));
        }
        if (Files.exists(marker)) {
            return files;
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
        long perDay = events / DAYS;
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("set preserve_insertion_order = false");
            for (int d = 0; d < DAYS; d++) {
                long from = d * perDay;
                long to = d == DAYS - 1 ? events : from + perDay;
                Files.createDirectories(files.get(d).getParent());
                s.execute("copy (" + daySql(from, to, d, customers) + ") to '" + files.get(d) + "' (format parquet, compression zstd)");
            }
        }
        Files.writeString(marker, "");
        System.out.printf("wrote the archive in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return files;
    }

    /**
     * Day {@code d}'s rows: events {@code from}..{@code to} (event i: customer i mod customers, i mod 1000 + 1 bytes, at
     * second i·86400/perDay of the day), a re-published copy of every 50th, an amendment (bytes × 2) of every 200th and a
     * retraction of every 500th (after its amendment when both).
     */
    private static String daySql(long from, long to, int d, int customers) {
        String day = MONTH.plusDays(d).toString();
        long perDay = Math.max(1, to - from);
        String ts = "(timestamp '" + day + "' + to_microseconds(((i - " + from + ") * 86400000000 // " + perDay + ")::bigint))";
        String iso = "strftime(" + ts + ", '%Y-%m-%dT%H:%M:%S.%fZ')";
        String event = "'{\"tenantId\":\"" + TENANT + "\",\"customerId\":\"c' || (i % " + customers + ") || '\",\"customer\":\"c' || (i % " + customers
                + ") || '\",\"eventId\":\"e' || i || '\",\"type\":\"bytes\",\"timestamp\":\"' || " + iso + " || '\",\"properties\":{\"bytes\":\"' || {BYTES}"
                + " || '\"},\"acceptedAt\":\"' || " + iso + " || '\",\"attributedBy\":\"customer\",\"periodStart\":\"" + MONTH
                + "T00:00:00Z\",\"periodEnd\":\"" + MONTH.plusMonths(1) + "T00:00:00Z\"}'";
        String original = event.replace("{BYTES}", "(i % 1000 + 1)");
        String amended = event.replace("{BYTES}", "(2 * (i % 1000 + 1))");
        String columns = "i % 4 as kafka_partition, {OFFSET} as kafka_offset, " + ts + " as published_at, {SCHEMA} as schema, '" + TENANT + "' as tenant_id,"
                + " 'c' || (i % " + customers + ") as customer_id, 'e' || i as event_id, " + ts + " as event_time, {VALUE} as value";
        String correction = "'{\"tenantId\":\"" + TENANT + "\",\"customerId\":\"c' || (i % " + customers + ") || '\",\"eventId\":\"e' || i"
                + " || '\",\"kind\":\"{KIND}\",\"sequence\":{SEQUENCE},\"current\":' || {CURRENT} || ',\"reason\":\"bench\",\"actor\":\"key:bench\"}'";
        String range = " from range(" + from + ", " + to + ") t(i)";
        // offsets: the original at i, its copy and corrections further on (their own offsets, as on the topic)
        String amend = correction.replace("{KIND}", "amend").replace("{SEQUENCE}", "1").replace("{CURRENT}", amended);
        String retract = correction.replace("{KIND}", "retract").replace("{SEQUENCE}", "2").replace("{CURRENT}", "'null'");
        return "select " + row(columns, "i", "AcceptedEventV1", original) + range
                + " union all select " + row(columns, "i + 1000000000000", "AcceptedEventV1", original) + range + " where i % 50 = 0"
                + " union all select " + row(columns, "i + 2000000000000", "EventCorrectionV1", amend) + range + " where i % 200 = 0"
                + " union all select " + row(columns, "i + 3000000000000", "EventCorrectionV1", retract) + range + " where i % 500 = 0";
    }

    private static String row(String columns, String offset, String schema, String value) {
        return columns.replace("{OFFSET}", offset).replace("{SCHEMA}", "'" + schema + "'").replace("{VALUE}", value);
    }

    /** Bytes under {@code dir} now (0 if it is not there; files vanishing meanwhile are skipped). */
    private static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    /** Runs {@code sql} and reads every row's every column as text (what a plain scan into the JVM costs). */
    private static void scan(List<Path> files, String sql) throws Exception {
        long chars = 0;
        Properties streaming = new Properties();
        streaming.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true"); // as invoicing reads: a chunk at a time
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:", streaming); Statement s = c.createStatement()) {
            s.execute("set memory_limit = '256MB'");
            s.execute("set threads = 2");
            try (ResultSet rs = s.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        String v = rs.getString(i);
                        chars += v == null ? 0 : v.length();
                    }
                }
            }
        }
        if (chars == 0) {
            throw new IllegalStateException("the scan read nothing");
        }
    }

    private static long rows(List<Path> files) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from read_parquet(" + list(files) + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The same sums by SQL from the generator's rule (each event once; amended ×2; retracted gone): the recount must equal them. */
    private static void check(List<Path> files, Map<Recount.Key, Recount.Counted> counted) throws Exception {
        Instant start = Instant.parse(MONTH + "T00:00:00Z");
        Instant end = Instant.parse(MONTH.plusMonths(1) + "T00:00:00Z");
        int wrong = 0;
        int keys = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select customer_id, sum(case when n % 200 = 0 then 2 else 1 end * (n % 1000 + 1)), count(*) from"
                     + " (select distinct customer_id, cast(substr(event_id, 2) as bigint) as n from read_parquet(" + list(files) + ")"
                     + " where schema = 'AcceptedEventV1') where n % 500 <> 0 group by customer_id")) {
            while (rs.next()) {
                keys++;
                Recount.Counted bytes = counted.get(new Recount.Key(rs.getString(1), "bandwidth", start, end));
                Recount.Counted requests = counted.get(new Recount.Key(rs.getString(1), "requests", start, end));
                BigDecimal expectedBytes = rs.getBigDecimal(2);
                long expectedEvents = rs.getLong(3);
                if (bytes == null || requests == null || bytes.quantity().compareTo(expectedBytes) != 0 || requests.events() != expectedEvents) {
                    if (wrong == 0) {
                        System.out.printf("first wrong: %s expected %s bytes, %d events; recounted %s and %s (keys like %s)%n", rs.getString(1),
                                expectedBytes, expectedEvents, bytes, requests, counted.keySet().iterator().next());
                    }
                    wrong++;
                }
            }
        }
        System.out.printf("recount checked against SQL: %d customers, %d wrong%n", keys, wrong);
        if (wrong > 0) {
            throw new IllegalStateException(wrong + " customers recounted wrong");
        }
    }

    private static String list(List<Path> files) {
        StringBuilder sb = new StringBuilder("[");
        for (Path f : files) {
            sb.append(sb.length() == 1 ? "" : ", ").append('\'').append(f).append('\'');
        }
        return sb.append(']').toString();
    }
}
