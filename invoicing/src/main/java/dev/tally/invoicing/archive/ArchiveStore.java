package dev.tally.invoicing.archive;

import dev.tally.invoicing.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * The archive's manifest in PostgreSQL ({@code archive_file}, {@code archive_offset}; invoicing owns both): which files
 * belong to the archive, and how far each partition of the topic is archived.
 */
@ApplicationScoped
public class ArchiveStore {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    @Inject
    DataSource dataSource;

    /** A file of the archive: its path under the root, tenant, day, records, size, and the offset ranges it holds. */
    public record FileRow(String path, String tenantId, LocalDate day, int records, long bytes, String ranges) {
    }

    /** What a reader sees at one moment: the files of a tenant's days, and how far each partition is archived. */
    public record Snapshot(List<String> files, Map<TopicPartition, Long> archivedUpTo) {
    }

    /**
     * What the archive holds: live files, their records and bytes, the tenants and days they cover, and how far each
     * partition is archived ({@code topic-partition} → next offset; the gap to the topic's end is the archiver's lag,
     * {@code tally_consumer_lag_records{consumer="invoicing-archive"}}).
     */
    public record Totals(long files, long records, long bytes, long tenants, LocalDate firstDay, LocalDate lastDay, Map<String, Long> archivedUpTo) {
    }

    public Totals totals() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> upTo = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("select topic, kafka_partition, next_offset from archive_offset");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    upTo.put(rs.getString(1) + "-" + rs.getInt(2), rs.getLong(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select count(*), coalesce(sum(records), 0), coalesce(sum(bytes), 0),"
                    + " count(distinct tenant_id), min(day), max(day) from archive_file where replaced_at is null");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getDate(5) == null ? null : rs.getDate(5).toLocalDate(),
                        rs.getDate(6) == null ? null : rs.getDate(6).toLocalDate(), upTo);
            }
        }
    }

    /** {@code tenant=<id>/day=<date>}: the id as it is when plain (letters, digits, {@code _}, {@code -}), else hex-encoded. */
    public static String directory(String tenantId, LocalDate day) {
        String t = PLAIN.matcher(tenantId).matches() ? tenantId : "x" + HexFormat.of().formatHex(tenantId.getBytes(StandardCharsets.UTF_8));
        return "tenant=" + t + "/day=" + day;
    }

    /** Reads a day's files: {@code day} null for files filed under no day. */
    @FunctionalInterface
    public interface DayReader {
        void read(LocalDate day, List<Path> files) throws Exception;
    }

    /**
     * {@code keys} a day at a time, in the order their days first appear, through local copies ({@link ObjectStore#local}:
     * downloaded from object storage for the day, deleted after it), so a reader's scratch holds one day, not a month.
     * Every record of an event is filed under its day, so a day's files resolve its events alone.
     */
    public static void eachDay(ObjectStore store, List<String> keys, DayReader reader) throws Exception {
        Map<LocalDate, List<String>> days = new LinkedHashMap<>();
        for (String k : keys) {
            days.computeIfAbsent(dayOf(k), d -> new ArrayList<>()).add(k);
        }
        for (Map.Entry<LocalDate, List<String>> day : days.entrySet()) {
            try (ObjectStore.Local local = store.local(day.getValue())) {
                reader.read(day.getKey(), local.paths());
            }
        }
    }

    /** The day a key of the archive is filed under ({@code tenant=t/day=2026-03-14/…}); null if it names none. */
    public static LocalDate dayOf(String key) {
        for (String part : key.split("/")) {
            if (part.startsWith("day=")) {
                return LocalDate.parse(part.substring(4));
            }
        }
        return null;
    }

    void insert(Connection c, List<FileRow> files) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into archive_file (path, tenant_id, day, records, bytes, ranges) values (?, ?, ?, ?, ?, ?)")) {
            for (FileRow f : files) {
                ps.setString(1, f.path());
                ps.setString(2, f.tenantId());
                ps.setDate(3, Date.valueOf(f.day()));
                ps.setInt(4, f.records());
                ps.setLong(5, f.bytes());
                ps.setString(6, f.ranges());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * In one snapshot of the database: the live files of {@code tenantId} from day {@code from} to {@code to} (both
     * included; null: unbounded), and every partition's archived-up-to offset. A file committed after this is not in
     * it, and its records are at or past these offsets (the topic's tail, which the reader reads from Kafka).
     */
    public Snapshot snapshot(String tenantId, LocalDate from, LocalDate to) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            List<String> files = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select path from archive_file where tenant_id = ? and replaced_at is null"
                    + " and day >= coalesce(?, day) and day <= coalesce(?, day) order by day, path")) {
                ps.setString(1, tenantId);
                ps.setDate(2, from == null ? null : Date.valueOf(from));
                ps.setDate(3, to == null ? null : Date.valueOf(to));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        files.add(rs.getString(1));
                    }
                }
            }
            Map<TopicPartition, Long> upTo = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("select topic, kafka_partition, next_offset from archive_offset");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    upTo.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
            c.commit();
            return new Snapshot(files, upTo);
        }
    }

    /** Which of {@code paths} the manifest names (live or replaced): a file it does not name is not part of the archive. */
    public Set<String> known(List<String> paths) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select path from archive_file where path = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Takes out of the manifest the files compaction replaced before {@code before}, and returns their paths. */
    public List<String> dropReplaced(Instant before) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from archive_file where replaced_at < ? returning path")) {
            ps.setTimestamp(1, Timestamp.from(before));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Takes out of the manifest the files of days past each tenant's retention ({@code tenant.archive_retention_days})
     * as of {@code today}, and returns their paths (the caller deletes them from storage after this commits).
     */
    public List<String> expire(LocalDate today) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     delete from archive_file f using tenant t
                      where t.tenant_id = f.tenant_id and f.day < ?::date - t.archive_retention_days
                     returning f.path""")) {
            ps.setDate(1, Date.valueOf(today));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
