package dev.tally.invoicing.archive;

import dev.tally.invoicing.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/**
 * Writes and reads the archive's Parquet files with an embedded, in-memory DuckDB (its JDBC driver; nothing is stored
 * in DuckDB itself). Columns: {@code kafka_partition, kafka_offset, published_at, schema, tenant_id, customer_id,
 * event_id, event_time, value} — times as UTC timestamps, {@code value} the record's JSON as published. Rows are written
 * in topic order (partition, offset); zstd-compressed.
 */
public final class ParquetFiles {
    private static final AtomicBoolean UNPACKED_LIBRARY_REMOVED = new AtomicBoolean();
    private static final String COLUMNS = "kafka_partition, kafka_offset, published_at, schema, tenant_id, customer_id, event_id, event_time, value";

    private ParquetFiles() {
    }

    /** Writes {@code rows} to the new file {@code out} with a DuckDB of its own (see {@link Writer#write}). Returns its size in bytes. */
    public static long write(Path out, List<ArchivedRecord> rows) throws IOException, SQLException {
        try (Writer w = new Writer()) {
            return w.write(out, rows);
        }
    }

    /** One in-memory DuckDB for several files (an archiver's poll writes one per tenant, day and partition). */
    public static final class Writer implements AutoCloseable {
        private final Connection c;

        public Writer() throws SQLException {
            c = open();
            try (Statement s = c.createStatement()) {
                s.execute("create table r (kafka_partition integer, kafka_offset bigint, published_at timestamp, schema varchar, tenant_id varchar,"
                        + " customer_id varchar, event_id varchar, event_time timestamp, value varchar)");
            }
        }

        /**
         * Writes {@code rows} to the new file {@code out} (a store's staged file: {@link ObjectStore#put} makes it visible,
         * whole or not at all), in the order given — the callers give topic order (partition, offset); not sorting again
         * saves the archiver a sort per file. Returns its size in bytes.
         */
        public long write(Path out, List<ArchivedRecord> rows) throws IOException, SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("delete from r");
                try (DuckDBAppender a = ((DuckDBConnection) c).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "r")) {
                    for (ArchivedRecord r : rows) {
                        row(a, r);
                    }
                }
                // zstd level 1: cheaper than the default for the archiver, and no larger on events (2.5 MB against 2.8 MB for 50,000)
                s.execute("copy (select * from r) to '" + quoted(out) + "' (format parquet, compression zstd, compression_level 1)");
            } catch (SQLException | RuntimeException e) {
                Files.deleteIfExists(out);
                throw e;
            }
            return Files.size(out);
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    private static void row(DuckDBAppender a, ArchivedRecord r) throws SQLException {
        a.beginRow();
        a.append(r.partition());
        a.append(r.offset());
        a.append(utc(r.publishedAt()));
        append(a, r.schema());
        append(a, r.tenantId());
        append(a, r.customerId());
        append(a, r.eventId());
        LocalDateTime eventTime = utc(r.eventTime());
        if (eventTime == null) {
            a.appendNull();
        } else {
            a.append(eventTime);
        }
        append(a, r.value());
        a.endRow();
    }

    /**
     * Merges {@code inputs} into the new file {@code out} inside DuckDB, streaming: the rows never enter the JVM and are
     * not re-sorted (a sort of a whole day overran DuckDB's memory limit), so a merged file holds its inputs' rows in
     * input order, not strictly in topic order. DuckDB spills under {@code scratch} (null: the JVM's temporary
     * directory). Returns its size.
     */
    public static long merge(List<Path> inputs, Path out, Path scratch) throws IOException, SQLException {
        Path spill = spillDirectory(scratch);
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("set temp_directory = '" + quoted(spill) + "'");
            s.execute("copy (select " + COLUMNS + " from read_parquet([" + fileList(inputs) + "])) to '" + quoted(out) + "' (format parquet, compression zstd)");
        } catch (SQLException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        } finally {
            deleteTree(spill);
        }
        return Files.size(out);
    }

    /** {@code files} as a DuckDB list of quoted string literals (without the brackets). */
    private static String fileList(List<Path> files) {
        StringBuilder list = new StringBuilder();
        for (Path f : files) {
            list.append(list.isEmpty() ? "" : ", ").append('\'').append(quoted(f)).append('\'');
        }
        return list.toString();
    }

    /** A new directory for DuckDB's spill files under {@code scratch} (null: the JVM's temporary directory); deleted after use. */
    private static Path spillDirectory(Path scratch) throws IOException {
        if (scratch == null) {
            return Files.createTempDirectory("tally-duckdb");
        }
        Files.createDirectories(scratch);
        return Files.createTempDirectory(scratch, "tally-duckdb");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: the OS cleans it up
        }
    }

    /** Every row of {@code files}, in topic order (partition, offset), to {@code sink}; {@code where} filters (SQL over the columns, or null). */
    public static void read(List<Path> files, String where, List<Object> args, Consumer<ArchivedRecord> sink) throws SQLException {
        read(files, where, args, sink, true);
    }

    /**
     * As {@link #read(List, String, List, Consumer)}, in no particular order when {@code ordered} is false: streamed, so
     * a tenant's many days stay within DuckDB's memory limit (a recount does not depend on the order it folds records in).
     */
    public static void read(List<Path> files, String where, List<Object> args, Consumer<ArchivedRecord> sink, boolean ordered) throws SQLException {
        if (files.isEmpty()) {
            return;
        }
        String list = fileList(files);
        String sql = "select " + COLUMNS + " from read_parquet([" + list + "])" + (where == null ? "" : " where " + where)
                + (ordered ? " order by kafka_partition, kafka_offset" : "");
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(new ArchivedRecord(rs.getInt(1), rs.getLong(2), instant(rs.getObject(3, LocalDateTime.class)), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), instant(rs.getObject(8, LocalDateTime.class)), rs.getString(9)));
                }
            }
        }
    }

    /** One event's final state as the archive's rows resolve it: see {@link #finalStates}. */
    @FunctionalInterface
    public interface FinalStateSink {
        /** {@code state}: the event's JSON as it stands ({@code null}: retracted); {@code sequence}: its last correction's ({@code -1}: none). */
        void accept(String eventId, int sequence, String state) throws Exception;
    }

    /** What {@link #finalStates} read: every row that passed {@code where}, and those it could not read (no event id, or a correction not JSON). */
    public record Rows(long records, long unreadable) {
    }

    /**
     * Each event of {@code files}' rows (those passing {@code where}) once, in its final state, resolved inside DuckDB:
     * the events with one row stream through as they are; for those with several (a re-published copy, corrections) a
     * hash aggregation keeps the version with the highest correction sequence — a correction's {@code current} (an empty
     * state for a retraction), else the accepted event (any copy: a re-published record is the same). Past DuckDB's
     * memory limit both spill to a temporary directory. The states stream out in no order and nothing is
     * held in the heap, so a recount's memory does not grow with its events. DuckDB spills under {@code scratch} (null: the
     * JVM's temporary directory).
     */
    public static Rows finalStates(List<Path> files, String where, List<Object> args, Path scratch, FinalStateSink sink) throws Exception {
        if (files.isEmpty()) {
            return new Rows(0, 0);
        }
        String list = fileList(files);
        String correction = "schema = 'EventCorrectionV1'";
        String rows = "from read_parquet([" + list + "]) where " + where + " and (schema is null or schema in ('AcceptedEventV1', 'EventCorrectionV1'))";
        // a correction that is not JSON gets sequence -2 and no state: it never wins over a readable version, and alone
        // it is skipped (counted unreadable). (As a filter, json_valid made the query overrun DuckDB's memory limit at 10 M.)
        String seq = "case when " + correction + " then case when json_valid(value) then coalesce(try_cast(json_extract_string(value, '$.sequence')"
                + " as integer), -1) else -2 end else -1 end";
        String state = "case when " + correction + " then case when not json_valid(value) then null when json_extract_string(value, '$.kind')"
                + " = 'retract' then '' else coalesce(json_extract(value, '$.current')::varchar, '') end else value end";
        // an event with one row (most: no copy, no correction) streams straight through; only those with several are
        // aggregated, so the hash table holds every id once but the states of the few with several rows only; r is read
        // anew by each part (not materialized: a materialized r held every state in memory and overran the limit at 10 M)
        String sql = "with r as not materialized (select event_id, " + seq + " as seq, " + state + " as state " + rows + " and event_id is not null),"
                + " several as (select event_id from r group by event_id having count(*) > 1)"
                + " select event_id, seq, state from r anti join several using (event_id)"
                + " union all select event_id, max(seq), arg_max(state, seq) from r semi join several using (event_id) group by event_id";
        Path spill = spillDirectory(scratch);
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("set temp_directory = '" + quoted(spill) + "'");
            s.execute("set preserve_insertion_order = false");
            // one thread: with two, the query's concurrent scans of a 3.3-million-event day overran the 256 MB (the fold in
            // the JVM is the slower side anyway)
            s.execute("set threads = 1");
            Rows counted;
            try (PreparedStatement ps = c.prepareStatement("select count(*), count(*) filter (where event_id is null or (" + correction
                    + " and not json_valid(value))) " + rows)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    counted = new Rows(rs.getLong(1), rs.getLong(2));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int sequence = rs.getInt(2);
                        if (sequence == -2) {
                            continue; // only an unreadable correction: counted in Rows.unreadable
                        }
                        String v = rs.getString(3);
                        sink.accept(rs.getString(1), sequence, v == null || v.isEmpty() ? null : v);
                    }
                }
            }
            return counted;
        } finally {
            deleteTree(spill);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    /**
     * DuckDB's driver unpacks its native library (about 70 MB) into the temporary directory and deletes it only when the
     * JVM exits normally: every crash would leave one behind (in a pod, in its size-limited {@code /tmp}). Once loaded, the
     * library stays mapped without its file, so the file is deleted right away (found in {@code /proc/self/maps}; Linux).
     */
    private static void removeUnpackedLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
            lines.map(l -> l.substring(l.indexOf('/') < 0 ? l.length() : l.indexOf('/'))).filter(f -> f.startsWith(tmp) && f.contains("libduckdb_java"))
                    .distinct().forEach(f -> {
                        try {
                            Files.deleteIfExists(Path.of(f));
                        } catch (IOException e) {
                            // left for deleteOnExit
                        }
                    });
        } catch (IOException | RuntimeException e) {
            // left for deleteOnExit
        }
    }

    private static void append(DuckDBAppender a, String v) throws SQLException {
        if (v == null) {
            a.appendNull();
        } else {
            a.append(v);
        }
    }

    /**
     * An in-memory DuckDB, kept small: it shares the service's memory and two cores. Results stream (fetched a chunk at
     * a time): by default the driver materializes a whole result first, and a 100-million-row recount's was killed for
     * memory.
     */
    private static Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
        Connection c = DriverManager.getConnection("jdbc:duckdb:", props);
        if (UNPACKED_LIBRARY_REMOVED.compareAndSet(false, true)) {
            removeUnpackedLibrary();
        }
        try (Statement s = c.createStatement()) {
            s.execute("set memory_limit = '256MB'");
            s.execute("set threads = 2");
        }
        return c;
    }

    /** A path inside a single-quoted SQL string literal (the archive's own paths: tenant ids are checked, but quote anyway). */
    private static String quoted(Path p) {
        return p.toAbsolutePath().toString().replace("'", "''");
    }

    private static LocalDateTime utc(Instant i) {
        return i == null ? null : LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(LocalDateTime t) {
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
}
