package dev.tally.invoicing.reconcile;

import dev.tally.invoicing.archive.ArchiveStore;
import dev.tally.invoicing.archive.ParquetFiles;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.model.metering.Recount;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;

/**
 * A tenant's recount from the event archive plus the topic's tail past it: the archive's files of the days a period's
 * events can have (its first day to its last; every day for a recount of all periods), read in topic order, then
 * {@code tally.events.accepted} from where the archive ends on each partition — both as of one snapshot of the archive's
 * manifest, folded by the same code as a recount from the topic ({@link AcceptedReplay#fold}). A record in both (archived
 * after the snapshot was read) counts once, as any record read twice does. The archive's rows are streamed in no
 * particular order: {@link Recount} keeps the first copy of an event and applies corrections by their sequence, so the
 * order it reads them in does not change what it counts.
 */
@ApplicationScoped
public class ArchiveRecount {
    @Inject
    ArchiveStore store;
    @Inject
    AcceptedReplay replay;
    @Inject
    InvoicingConfig config;
    @Inject
    DataSource dataSource;

    /** The recount, and where its records came from: how many archive files and records, and how many from the topic's tail. */
    public record Result(Recount recount, int files, long archivedRecords, long tailRecords) {
    }

    /** {@code periodStart} null: every period of the tenant (all its archived days). */
    public Result recount(String tenantId, Instant periodStart, Duration timeout) throws Exception {
        LocalDate from = periodStart == null ? null : day(periodStart);
        Instant end = periodStart == null ? null : periodEnd(tenantId, periodStart);
        LocalDate to = end == null ? null : day(end.minusNanos(1));
        ArchiveStore.Snapshot snapshot = store.snapshot(tenantId, from, to);
        Recount recount = new Recount();
        Path root = Path.of(config.archive().dir());
        long[] archived = {0};
        ParquetFiles.read(snapshot.files().stream().map(root::resolve).toList(), "tenant_id = ?", List.of(tenantId), r -> {
            replay.fold(recount, r.schema(), r.value());
            archived[0]++;
        }, false);
        long tail = replay.replayFrom(tenantId, snapshot.archivedUpTo(), recount, timeout);
        return new Result(recount, snapshot.files().size(), archived[0], tail);
    }

    /**
     * One customer's recount for a period (an invoice line's events): the archive's files of the period's days, that
     * customer's rows only, and the topic's tail past the archive, that customer's records only.
     */
    public Recount recountCustomer(String tenantId, String customerId, Instant periodStart, Instant periodEnd, Duration timeout) throws Exception {
        ArchiveStore.Snapshot snapshot = store.snapshot(tenantId, day(periodStart), day(periodEnd.minusNanos(1)));
        Recount recount = new Recount();
        Path root = Path.of(config.archive().dir());
        ParquetFiles.read(snapshot.files().stream().map(root::resolve).toList(), "tenant_id = ? and customer_id = ?", List.of(tenantId, customerId),
                r -> replay.fold(recount, r.schema(), r.value()), false);
        replay.replayCustomerFrom(tenantId, customerId, snapshot.archivedUpTo(), recount, timeout);
        return recount;
    }

    /** The latest end of the tenant's periods that start at {@code periodStart}, as invoicing knows them (null: none yet). */
    private Instant periodEnd(String tenantId, Instant periodStart) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select greatest((select max(period_end) from usage_snapshot where tenant_id = ? and period_start = ?),
                                     (select max(period_end) from invoice where tenant_id = ? and period_start = ?))""")) {
            Timestamp start = Timestamp.from(periodStart);
            ps.setString(1, tenantId);
            ps.setTimestamp(2, start);
            ps.setString(3, tenantId);
            ps.setTimestamp(4, start);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return t == null ? null : t.toInstant();
            }
        }
    }

    private static LocalDate day(Instant i) {
        return LocalDate.ofInstant(i, ZoneOffset.UTC);
    }
}
