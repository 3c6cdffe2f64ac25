package dev.tally.invoicing.archive;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Merges a tenant's day of small archive files into files of up to {@code tally.archive.compact-max-bytes} (the archiver
 * writes one file per tenant, day and partition per poll, so a day gathers many). The merge runs inside DuckDB — no row
 * passes through the JVM's heap. A merged file holds every row of the files it replaces, in topic order;
 * in one transaction the old rows are marked replaced — all of them, or the merge is abandoned (another instance
 * compacted the day first) — and the new row inserted, so readers see either the old files or the new one, never both.
 * The janitor deletes replaced files once they are older than {@code tally.archive.orphan-age} (a reader that listed
 * them before the merge has that long to finish).
 */
@ApplicationScoped
public class ArchiveCompactor {
    private static final Logger LOG = Logger.getLogger(ArchiveCompactor.class);

    @Inject
    DataSource dataSource;
    @Inject
    InvoicingConfig config;
    @Inject
    Storage storage;

    /** A day of a tenant with too many files. */
    record Day(String tenantId, LocalDate day) {
    }

    @Scheduled(every = "${tally.archive.compact-every:10m}", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!config.archive().enabled()) {
            return;
        }
        try {
            int merged = compact();
            if (merged > 0) {
                LOG.infof("archive compaction: %d days merged into one file each", merged);
            }
        } catch (Exception e) {
            LOG.warnf("archive compaction failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Merges every day that has at least {@code tally.archive.compact-min-files} live files; returns how many days it merged. */
    public int compact() throws Exception {
        List<Day> days = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select tenant_id, day from archive_file where replaced_at is null group by tenant_id, day"
                     + " having count(*) >= ? order by day limit 1000")) {
            ps.setInt(1, config.archive().compactMinFiles());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    days.add(new Day(rs.getString(1), rs.getDate(2).toLocalDate()));
                }
            }
        }
        int merged = 0;
        for (Day d : days) {
            merged += merge(d) ? 1 : 0;
        }
        return merged;
    }

    /** A file of the day: its path, records, bytes and ranges. */
    private record Part(String path, int records, long bytes, String ranges) {
    }

    /** Merges the day's files in runs of at most {@code tally.archive.compact-max-bytes} each; true if any run was merged. */
    private boolean merge(Day d) throws Exception {
        List<Part> parts = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select path, records, bytes, ranges from archive_file where tenant_id = ? and day = ?"
                     + " and replaced_at is null order by path")) {
            ps.setString(1, d.tenantId());
            ps.setDate(2, Date.valueOf(d.day()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parts.add(new Part(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4)));
                }
            }
        }
        boolean merged = false;
        List<Part> run = new ArrayList<>();
        long runBytes = 0;
        for (Part p : parts) {
            if (!run.isEmpty() && runBytes + p.bytes() > config.archive().compactMaxBytes()) {
                merged |= mergeRun(d, run);
                run = new ArrayList<>();
                runBytes = 0;
            }
            run.add(p);
            runBytes += p.bytes();
        }
        return mergeRun(d, run) || merged;
    }

    private boolean mergeRun(Day d, List<Part> run) throws Exception {
        if (run.size() < 2) {
            return false;
        }
        ObjectStore files = storage.archive();
        String merged = ArchiveStore.directory(d.tenantId(), d.day()) + "/compacted-" + UUID.randomUUID().toString().substring(0, 8) + ".parquet";
        Path staged = files.staging(merged);
        long bytes;
        try (ObjectStore.Local inputs = files.local(run.stream().map(Part::path).toList())) {
            ParquetFiles.merge(inputs.paths(), staged, storage.scratch());
            bytes = files.put(staged, merged, () -> { });
        } finally {
            Files.deleteIfExists(staged);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement replace = c.prepareStatement("update archive_file set replaced_at = now() where path = any(?) and replaced_at is null");
                 PreparedStatement insert = c.prepareStatement(
                         "insert into archive_file (path, tenant_id, day, records, bytes, ranges) values (?, ?, ?, ?, ?, ?)")) {
                replace.setArray(1, c.createArrayOf("text", run.stream().map(Part::path).toArray()));
                if (replace.executeUpdate() != run.size()) {
                    c.rollback();
                    files.delete(merged); // another instance merged (some of) these first
                    return false;
                }
                insert.setString(1, merged);
                insert.setString(2, d.tenantId());
                insert.setDate(3, Date.valueOf(d.day()));
                insert.setInt(4, run.stream().mapToInt(Part::records).sum());
                insert.setLong(5, bytes);
                insert.setString(6, String.join(",", run.stream().map(Part::ranges).toList()));
                insert.executeUpdate();
                c.commit();
                return true;
            } catch (Exception e) {
                c.rollback();
                deleteQuietly(files, merged);
                throw e;
            }
        }
    }

    private static void deleteQuietly(ObjectStore files, String p) {
        try {
            files.delete(p);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not delete %s (the janitor will): %s", p, e.getMessage());
        }
    }
}
