package dev.tally.invoicing.archive;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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

    /** Whether the manifest names {@code path} (live or replaced): a file it does not name is not part of the archive. */
    public boolean known(String path) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select 1 from archive_file where path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
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
