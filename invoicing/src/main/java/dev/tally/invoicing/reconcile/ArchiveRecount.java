package dev.tally.invoicing.reconcile;

import dev.tally.invoicing.archive.ArchiveStore;
import dev.tally.invoicing.archive.ParquetFiles;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.Recount;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
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
import java.util.Map;
import javax.sql.DataSource;

/**
 * A tenant's recount from the event archive plus the topic's tail past it: the archive's files of the days a period's
 * events can have (its first day to its last; every day for a recount of all periods), then {@code tally.events.accepted}
 * from where the archive ends on each partition — both as of one snapshot of the archive's manifest. The tail is folded
 * by the same code as a recount from the topic ({@link AcceptedReplay#fold}); the archive's events are resolved to their
 * final states by DuckDB (the highest correction sequence wins, a re-published copy counts once) and merged with the
 * tail by {@link Recount#countWith}: an event in both (archived after the snapshot was read) counts once, in its later
 * version.
 */
@ApplicationScoped
public class ArchiveRecount {
    @Inject
    ArchiveStore store;
    @Inject
    AcceptedReplay replay;
    @Inject
    Storage storage;
    @Inject
    DataSource dataSource;

    /**
     * The recount's quantities, how many records it read and could not read, and where they came from: how many archive
     * files and records, and how many from the topic's tail.
     */
    public record Result(Map<Recount.Key, Recount.Counted> counted, long read, long unreadable, int files, long archivedRecords, long tailRecords) {
    }

    /**
     * {@code periodStart} null: every period of the tenant (all its archived days). The topic's tail is folded in memory
     * (it is short); the archive's events are resolved to their final states inside DuckDB and streamed through the
     * meters' accumulators one at a time ({@link ParquetFiles#finalStates}), so no archived event is held: memory grows
     * with the keys, not the events.
     */
    public Result recount(String tenantId, Instant periodStart, List<MeterDefinition> meters, int sample, Duration timeout) throws Exception {
        LocalDate from = periodStart == null ? null : day(periodStart);
        Instant end = periodStart == null ? null : periodEnd(tenantId, periodStart);
        LocalDate to = end == null ? null : day(end.minusNanos(1));
        ArchiveStore.Snapshot snapshot = store.snapshot(tenantId, from, to);
        Recount tail = new Recount();
        long tailRecords = replay.replayFrom(tenantId, snapshot.archivedUpTo(), tail, timeout);
        Counted c = count(storage.archive(), snapshot.files(), tenantId, tail, meters, sample, storage.scratch(), replay::accepted);
        return new Result(c.counted(), tail.read(), tail.unreadableRecords(), snapshot.files().size(), c.archivedRecords(), tailRecords);
    }

    /** Reads an accepted event's JSON as published. */
    @FunctionalInterface
    public interface EventReader {
        AcceptedEventV1 read(String json) throws IOException;
    }

    /** What {@link #count} counted, and how many archive rows it read. */
    public record Counted(Map<Recount.Key, Recount.Counted> counted, long archivedRecords) {
    }

    /**
     * The recount of {@code tenantId}'s rows in the archive's files {@code keys} merged with {@code tail} (the topic's
     * records past the archive, folded already; its read and unreadable counts grow by the archive's): the archive's
     * events resolved to their final states by DuckDB ({@link ParquetFiles#finalStates}) and streamed through the meters'
     * accumulators ({@link Recount#countWith}); DuckDB spills under {@code scratch}. Also what {@code ./tally bench
     * recount} measures.
     * <p>
     * One day at a time ({@link ArchiveStore#eachDay}: from object storage, only that day is downloaded): every record of
     * an event is filed under its day (a re-published copy and each correction too), so a day's files resolve its events
     * alone, and DuckDB's hash table holds one day's event ids, not a month's (a month of 100 million ids overran its
     * 256 MB). An amendment that moved an event to another day is filed under both days; its final state is counted only
     * under the day it now falls on (by its event time, UTC), so once.
     */
    public static Counted count(ObjectStore store, List<String> keys, String tenantId, Recount tail, List<MeterDefinition> meters, int sample,
            Path scratch, EventReader reader) throws Exception {
        long[] unparsed = {0};
        long[] records = {0};
        long[] unreadable = {0};
        Map<Recount.Key, Recount.Counted> counted = tail.countWith(meters, sample, sink -> ArchiveStore.eachDay(store, keys, (day, files) -> {
            ParquetFiles.Rows rows = ParquetFiles.finalStates(files, "tenant_id = ?", List.of(tenantId), scratch, (id, sequence, state) -> {
                AcceptedEventV1 event = null;
                if (state != null) {
                    try {
                        event = reader.read(state);
                    } catch (IOException e) {
                        unparsed[0]++;
                        return;
                    }
                    if (day != null && event.timestamp() != null && !day.equals(day(event.timestamp()))) {
                        return; // moved to another day by an amendment: counted under that day
                    }
                }
                sink.accept(id, sequence, event);
            });
            records[0] += rows.records();
            unreadable[0] += rows.unreadable();
        }));
        tail.readElsewhere(records[0], unreadable[0] + unparsed[0]);
        return new Counted(counted, records[0]);
    }

    /**
     * One customer's recount for a period (an invoice line's events): the archive's files of the period's days, that
     * customer's rows only, and the topic's tail past the archive, that customer's records only.
     */
    public Recount recountCustomer(String tenantId, String customerId, Instant periodStart, Instant periodEnd, Duration timeout) throws Exception {
        ArchiveStore.Snapshot snapshot = store.snapshot(tenantId, day(periodStart), day(periodEnd.minusNanos(1)));
        Recount recount = new Recount();
        ArchiveStore.eachDay(storage.archive(), snapshot.files(), (day, files) -> ParquetFiles.read(files, "tenant_id = ? and customer_id = ?",
                List.of(tenantId, customerId), r -> replay.fold(recount, r.schema(), r.value()), false));
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
