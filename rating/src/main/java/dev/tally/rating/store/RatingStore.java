package dev.tally.rating.store;

import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.RejectedRecords;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Rating's poll transaction. Exactly-once rests on one Postgres transaction per poll in which the consumed offsets,
 * the applied positions, the aggregates, the alerts and the outbox rows (snapshots, then watermarks) commit together
 * or not at all. This class opens it and orders the steps; each step is a collaborator's: {@link PollBookkeeping}
 * (offsets, applied batches), {@link Fold} and {@link Aggregates} (the fold into aggregates), {@link Snapshots} with
 * {@link Pricing}, {@link Limits} and {@link Budgets} (alerts), {@link Watermarks}.
 */
@ApplicationScoped
public class RatingStore {
    @Inject
    DataSource dataSource;
    @Inject
    Fold fold;
    @Inject
    Aggregates aggregates;
    @Inject
    Snapshots snapshots;
    @Inject
    Limits limits;
    @Inject
    Budgets budgets;
    @Inject
    Watermarks watermarks;

    /**
     * What one poll did; {@code totals}: the period totals of limited meters it changed (over all groups), for the
     * entitlement cache once committed; {@code acceptedAt}: when ingest accepted each event applied (for the freshness
     * figure).
     */
    public record Applied(int applied, int skipped, int snapshots, Map<MeterPeriod, BigDecimal> totals, List<Instant> acceptedAt) {
    }

    /** One meter of one customer in one billing period, over all its groups. */
    public record MeterPeriod(String tenantId, String customerId, String meterKey, Instant periodStart) {
    }

    /** The poll's records as read: what they change, and what became of each. */
    private static final class Poll {
        final PollDeltas deltas = new PollDeltas();
        final Map<TopicPartition, Instant> markers = new HashMap<>();
        final List<RejectedRecords.Rejected> rejected = new ArrayList<>();
        final List<Instant> acceptedAt;
        int applied;
        int skipped;

        Poll(int records) {
            acceptedAt = new ArrayList<>(records);
        }
    }

    /**
     * Applies a poll's records exactly once.
     *
     * @param traceOf   the trace context to attach to snapshots derived from a record
     */
    public Applied apply(List<ConsumerRecord<String, String>> records, Function<ConsumerRecord<String, String>, String> traceOf)
            throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Applied applied = apply(c, records, traceOf);
                c.commit();
                return applied;
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Applied apply(Connection c, List<ConsumerRecord<String, String>> records,
            Function<ConsumerRecord<String, String>, String> traceOf) throws Exception {
        PollBookkeeping bookkeeping = PollBookkeeping.begin(c, records);
        Poll poll = read(bookkeeping, records, traceOf);
        PollDeltas deltas = poll.deltas;
        aggregates.foldNonAdditive(c, deltas);
        RejectedRecords.insert(c, poll.rejected);
        List<OutboxRecord> rated = deltas.periods.isEmpty() ? List.of() : snapshots.of(c, aggregates.upsert(c, deltas.periods));
        Map<MeterPeriod, BigDecimal> totals = deltas.periods.isEmpty() ? Map.of() : limits.check(c, deltas.periods);
        if (!deltas.periods.isEmpty()) {
            budgets.check(c, deltas.periods);
        }
        if (!deltas.days.isEmpty()) {
            aggregates.upsertDays(c, deltas.days);
        }
        bookkeeping.save(c);
        if (!rated.isEmpty()) {
            Outbox.append(c, Topics.USAGE_RATED, RatedUsageV1.SCHEMA, rated);
        }
        if (!poll.markers.isEmpty()) {
            watermarks.advance(c, poll.markers); // after the snapshots' outbox row, so the relay publishes them first
        }
        return new Applied(poll.applied, poll.skipped, rated.size(), totals, poll.acceptedAt);
    }

    /** Reads the records in order: markers for the watermarks, new usage into the deltas, the unreadable set aside. */
    private Poll read(PollBookkeeping bookkeeping, List<ConsumerRecord<String, String>> records,
            Function<ConsumerRecord<String, String>, String> traceOf) {
        Poll poll = new Poll(records.size());
        for (ConsumerRecord<String, String> r : records) {
            bookkeeping.consumed(r);
            String schema = RecordHeaders.string(r, Headers.SCHEMA);
            if (AcceptanceMarkerV1.SCHEMA.equals(schema)) {
                marker(poll, r);
                continue;
            }
            switch (bookkeeping.admit(r)) {
                case NO_POSITION -> poll.rejected.add(new RejectedRecords.Rejected(r,
                        "missing or malformed " + Headers.OUTBOX_ID + "/" + Headers.POSITION + " headers"));
                case APPLIED_BEFORE -> poll.skipped++; // re-published by the relay after a crash: already counted
                case NEW -> fold(poll, r, schema, traceOf.apply(r));
            }
        }
        return poll;
    }

    /** An acceptance marker: progress, not usage, and idempotent (the highest wins), so no applied-position bookkeeping. */
    private void marker(Poll poll, ConsumerRecord<String, String> r) {
        try {
            poll.markers.merge(new TopicPartition(r.topic(), r.partition()), watermarks.acceptedBefore(r), (a, b) -> a.isAfter(b) ? a : b);
        } catch (Exception e) {
            poll.rejected.add(new RejectedRecords.Rejected(r, "unreadable acceptance marker: " + e.getMessage()));
        }
    }

    /** A new usage record: folded whole into the poll's deltas, or set aside whole when it cannot be read or rated. */
    private void fold(Poll poll, ConsumerRecord<String, String> r, String schema, String trace) {
        Fold.Rated rated;
        try {
            rated = fold.rate(r, schema);
        } catch (Exception e) {
            poll.rejected.add(new RejectedRecords.Rejected(r, e.getClass().getSimpleName() + ": " + e.getMessage()));
            return;
        }
        poll.applied++;
        if (rated.acceptedAt() != null) {
            poll.acceptedAt.add(rated.acceptedAt());
        }
        for (PollDeltas.Contribution k : rated.contributions()) {
            poll.deltas.add(k, trace);
        }
    }

    /** Stored next offsets for the given partitions (absent: never consumed). */
    public Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions) throws SQLException {
        return PollBookkeeping.offsets(dataSource, partitions);
    }
}
