package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.Entitlement;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Observation;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.RejectedRecords;
import dev.tally.platform.kafka.StoredOffsets;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Rating's tables: aggregates, consumed offsets and applied outbox positions — all in one transaction. */
@ApplicationScoped
public class RatingStore {
    private static final Logger LOG = Logger.getLogger(RatingStore.class);
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;

    private static final String OFFSETS = "consumer_offset";

    /**
     * What one poll did; {@code totals}: the period totals of limited meters it changed (over all groups),
     * for the entitlement cache once committed.
     */
    /** What one poll did; {@code acceptedAt} holds when ingest accepted each event applied (for the freshness figure). */
    public record Applied(int applied, int skipped, int snapshots, Map<MeterPeriod, BigDecimal> totals, List<Instant> acceptedAt) {
    }

    /** One meter of one customer in one billing period, over all its groups. */
    public record MeterPeriod(String tenantId, String customerId, String meterKey, Instant periodStart) {
    }

    record AggKey(String tenantId, String customerId, String meterKey, Instant periodStart, String dimensions) {
    }

    private record DayKey(String tenantId, String customerId, String meterKey, LocalDate day, String dimensions) {
    }

    private static final class Delta {
        Instant periodEnd;
        Map<String, String> dimensions;
        BigDecimal quantity = BigDecimal.ZERO;
        long events;
        String traceparent;
        String state; // a non-additive meter's accumulator (see NonAdditive), else null
        List<String> samples; // a day's first few event ids (usage_daily only)
    }

    /** Event ids sampled per day and group. */
    static final int DAY_SAMPLES = 3;

    private record BatchKey(String topic, int partition, long outboxId) {
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
        StoredOffsets.claim(c, OFFSETS, StoredOffsets.firstOffsets(records));
        Map<BatchKey, Integer> highWater = loadHighWater(c, records);
        Map<BatchKey, Integer> changedHighWater = new HashMap<>();
        Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        Map<AggKey, Delta> deltas = new LinkedHashMap<>();
        Map<DayKey, Delta> days = new LinkedHashMap<>();
        Map<AggKey, NonAdditive.Work> nonAdditive = new LinkedHashMap<>();
        int applied = 0;
        int skipped = 0;
        List<Instant> acceptedAt = new ArrayList<>(records.size());
        Map<TopicPartition, Instant> markers = new HashMap<>();
        List<RejectedRecords.Rejected> rejected = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            nextOffsets.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            String schema = RecordHeaders.string(r, Headers.SCHEMA);
            if (AcceptanceMarkerV1.SCHEMA.equals(schema)) {
                // progress, not usage: idempotent (the highest wins), so no high-water bookkeeping
                try {
                    Instant before = json.readValue(r.value(), AcceptanceMarkerV1.class).acceptedBefore();
                    markers.merge(new TopicPartition(r.topic(), r.partition()), before, (a, b) -> a.isAfter(b) ? a : b);
                } catch (Exception e) {
                    rejected.add(new RejectedRecords.Rejected(r, "unreadable acceptance marker: " + e.getMessage()));
                }
                continue;
            }
            BatchKey batch = batchKey(r);
            if (batch == null) {
                rejected.add(new RejectedRecords.Rejected(r, "missing or malformed " + Headers.OUTBOX_ID + "/" + Headers.POSITION + " headers"));
                continue;
            }
            int position = (int) RecordHeaders.number(r, Headers.POSITION);
            Integer last = highWater.get(batch);
            if (last != null && position <= last) {
                skipped++; // re-published by the relay after a crash: already counted
                continue;
            }
            highWater.put(batch, position);
            changedHighWater.put(batch, position);
            String trace = traceOf.apply(r);
            List<Contribution> contributions = new ArrayList<>();
            try {
                // everything this record contributes is worked out before any of it is applied: a record
                // that cannot be read or rated is set aside whole, never half-counted
                if (EventCorrectionV1.SCHEMA.equals(schema)) {
                    // a retraction or amendment: take the event out as it stood, put it back in as it stands now
                    EventCorrectionV1 correction = json.readValue(r.value(), EventCorrectionV1.class);
                    rate(correction.previous(), -1, contributions);
                    if (correction.current() != null) {
                        rate(correction.current(), 1, contributions);
                    }
                } else if (AcceptedEventV1.SCHEMA.equals(schema) || schema == null) {
                    AcceptedEventV1 event = json.readValue(r.value(), AcceptedEventV1.class);
                    rate(event, 1, contributions);
                    if (event.acceptedAt() != null) {
                        acceptedAt.add(event.acceptedAt());
                    }
                } else {
                    throw new IllegalArgumentException("unknown schema '" + schema + "'");
                }
            } catch (Exception e) {
                rejected.add(new RejectedRecords.Rejected(r, e.getClass().getSimpleName() + ": " + e.getMessage()));
                continue;
            }
            applied++;
            for (Contribution k : contributions) {
                Delta d = deltas.computeIfAbsent(k.agg(), x -> new Delta());
                d.periodEnd = k.periodEnd();
                d.dimensions = k.dimensions();
                if (k.observation() != null) {
                    // non-additive: the quantity moves once the poll's observations are stored (below); the day
                    // keeps the event count, its value is computed from the observations when read
                    nonAdditive.computeIfAbsent(k.agg(), x -> new NonAdditive.Work(k.meter(), k.period()))
                            .ops.add(new NonAdditive.Op(k.observation(), k.sign()));
                }
                add(d, k.amount(), k.sign(), trace);
                Delta day = days.computeIfAbsent(k.day(), x -> new Delta());
                add(day, k.amount(), k.sign(), trace);
                if (k.sign() > 0) {
                    if (day.samples == null) {
                        day.samples = new ArrayList<>(DAY_SAMPLES);
                    }
                    if (day.samples.size() < DAY_SAMPLES) {
                        day.samples.add(k.eventId());
                    }
                }
            }
        }
        if (!nonAdditive.isEmpty()) {
            NonAdditive.apply(c, json, nonAdditive).forEach((k, change) -> {
                Delta d = deltas.get(k);
                d.quantity = change.quantityDelta();
                d.state = change.state();
            });
        }
        RejectedRecords.insert(c, rejected);
        List<OutboxRecord> snapshots = deltas.isEmpty() ? List.of() : upsertAggregates(c, deltas);
        Map<MeterPeriod, BigDecimal> totals = deltas.isEmpty() ? Map.of() : checkLimits(c, deltas);
        if (!deltas.isEmpty()) {
            checkBudgets(c, deltas);
        }
        if (!days.isEmpty()) {
            upsertDays(c, days);
        }
        saveHighWater(c, changedHighWater);
        StoredOffsets.save(c, OFFSETS, nextOffsets);
        if (!snapshots.isEmpty()) {
            Outbox.append(c, Topics.USAGE_RATED, RatedUsageV1.SCHEMA, snapshots);
        }
        if (!markers.isEmpty()) {
            // after the snapshots' outbox row, so the relay publishes them first
            List<OutboxRecord> watermarks = advanceWatermarks(c, markers);
            if (!watermarks.isEmpty()) {
                Outbox.append(c, Topics.WATERMARKS, WatermarkV1.SCHEMA, watermarks);
            }
        }
        return new Applied(applied, skipped, snapshots.size(), totals, acceptedAt);
    }

    /**
     * One event's part in one meter: its period aggregate and its day, with the amount (additive meters) or the
     * observation (the others: amount 0) and the direction.
     */
    private record Contribution(AggKey agg, DayKey day, BillingPeriod period, Map<String, String> dimensions, BigDecimal amount,
            MeterDefinition meter, Observation observation, int sign, String eventId) {
        Instant periodEnd() {
            return period.end();
        }
    }

    /**
     * Adds ({@code sign} 1) or takes out ({@code sign} -1) one event's contribution to every meter it
     * matches, in the billing period of its customer's subscription at the event's time (calendar
     * month without one), in its group, and on its UTC day.
     */
    private void rate(AcceptedEventV1 e, int sign, List<Contribution> out) throws Exception {
        if (e == null || e.tenantId() == null || e.customerId() == null || e.timestamp() == null) {
            throw new IllegalArgumentException("an event needs tenantId, customerId and timestamp");
        }
        UsageEvent event = new UsageEvent(e.eventId(), e.type(), e.customer(), e.timestamp(),
                e.properties() == null ? Map.of() : e.properties());
        BillingPeriod period = null;
        LocalDate day = LocalDate.ofInstant(e.timestamp(), ZoneOffset.UTC);
        for (MeterDefinition meter : catalog.definitions(e.tenantId())) {
            boolean additive = meter.aggregation().additive();
            BigDecimal contribution = additive ? meter.contribution(event) : BigDecimal.ZERO;
            Observation observation = additive ? null : meter.observation(event);
            if (contribution == null || (!additive && observation == null)) {
                continue; // not the meter's event, or without the value it reads
            }
            if (period == null) {
                // decided by ingest when the event was accepted (so a correction lands where the event was counted);
                // older records without it: the subscription in force now
                period = e.periodStart() != null && e.periodEnd() != null ? new BillingPeriod(e.periodStart(), e.periodEnd())
                        : catalog.periodOf(e.tenantId(), e.customerId(), e.timestamp());
            }
            Map<String, String> group = meter.groupBy().isEmpty() ? Map.of() : meter.group(event).dimensions();
            String dims = group.isEmpty() ? "{}" : json.writeValueAsString(group);
            out.add(new Contribution(new AggKey(e.tenantId(), e.customerId(), meter.key(), period.start(), dims),
                    new DayKey(e.tenantId(), e.customerId(), meter.key(), day, dims), period, group, contribution, meter, observation, sign,
                    e.eventId()));
        }
    }

    private BatchKey batchKey(ConsumerRecord<String, String> r) {
        try {
            RecordHeaders.number(r, Headers.POSITION);
            return new BatchKey(r.topic(), r.partition(), RecordHeaders.number(r, Headers.OUTBOX_ID));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void add(Delta d, BigDecimal contribution, int sign, String trace) {
        d.quantity = sign > 0 ? d.quantity.add(contribution) : d.quantity.subtract(contribution);
        d.events += sign;
        d.traceparent = trace;
    }

    private Map<BatchKey, Integer> loadHighWater(Connection c, List<ConsumerRecord<String, String>> records) throws SQLException {
        Map<BatchKey, Integer> out = new HashMap<>();
        List<String> topics = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        List<Long> outboxIds = new ArrayList<>();
        Set<BatchKey> seen = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
            BatchKey k = AcceptanceMarkerV1.SCHEMA.equals(RecordHeaders.string(r, Headers.SCHEMA)) ? null : batchKey(r);
            if (k != null && seen.add(k)) {
                topics.add(k.topic());
                partitions.add(k.partition());
                outboxIds.add(k.outboxId());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select b.topic, b.kafka_partition, b.outbox_id, b.last_position
                from applied_batch b
                join unnest(?::text[], ?::int[], ?::bigint[]) as k(topic, kafka_partition, outbox_id)
                  on b.topic = k.topic and b.kafka_partition = k.kafka_partition and b.outbox_id = k.outbox_id""")) {
            ps.setArray(1, c.createArrayOf("text", topics.toArray()));
            ps.setArray(2, c.createArrayOf("int4", partitions.toArray()));
            ps.setArray(3, c.createArrayOf("int8", outboxIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new BatchKey(rs.getString(1), rs.getInt(2), rs.getLong(3)), rs.getInt(4));
                }
            }
        }
        return out;
    }

    private List<OutboxRecord> upsertAggregates(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        int n = deltas.size();
        String[] tenants = new String[n];
        String[] customers = new String[n];
        String[] meters = new String[n];
        Timestamp[] starts = new Timestamp[n];
        Timestamp[] ends = new Timestamp[n];
        BigDecimal[] quantities = new BigDecimal[n];
        Long[] counts = new Long[n];
        String[] dims = new String[n];
        String[] states = new String[n];
        Map<AggKey, Delta> byKey = new HashMap<>();
        int i = 0;
        for (Map.Entry<AggKey, Delta> e : deltas.entrySet()) {
            tenants[i] = e.getKey().tenantId();
            customers[i] = e.getKey().customerId();
            meters[i] = e.getKey().meterKey();
            starts[i] = Timestamp.from(e.getKey().periodStart());
            ends[i] = Timestamp.from(e.getValue().periodEnd);
            quantities[i] = e.getValue().quantity;
            counts[i] = e.getValue().events;
            dims[i] = e.getKey().dimensions();
            states[i] = e.getValue().state;
            byKey.put(e.getKey(), e.getValue());
            i++;
        }
        List<OutboxRecord> out = new ArrayList<>(n);
        List<RatedUsageV1> rows = new ArrayList<>(n);
        List<String> traces = new ArrayList<>(n);
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_aggregate (tenant_id, customer_id, meter_key, period_start, period_end, quantity, event_count, version,
                  dimensions, state)
                select t, cu, m, ps, pe, q, n, 1, dm, st
                from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::numeric[], ?::bigint[], ?::text[],
                  ?::text[]) as d(t, cu, m, ps, pe, q, n, dm, st)
                on conflict (tenant_id, customer_id, meter_key, period_start, dimensions) do update
                  set quantity = usage_aggregate.quantity + excluded.quantity,
                      event_count = usage_aggregate.event_count + excluded.event_count,
                      state = excluded.state,
                      version = usage_aggregate.version + 1,
                      updated_at = now()
                returning tenant_id, customer_id, meter_key, period_start, period_end, quantity, event_count, version, dimensions""")) {
            ps.setArray(1, c.createArrayOf("text", tenants));
            ps.setArray(2, c.createArrayOf("text", customers));
            ps.setArray(3, c.createArrayOf("text", meters));
            ps.setArray(4, c.createArrayOf("timestamptz", starts));
            ps.setArray(5, c.createArrayOf("timestamptz", ends));
            ps.setArray(6, c.createArrayOf("numeric", quantities));
            ps.setArray(7, c.createArrayOf("int8", counts));
            ps.setArray(8, c.createArrayOf("text", dims));
            ps.setArray(9, c.createArrayOf("text", states));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Delta d = byKey.get(new AggKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getString(9)));
                    rows.add(new RatedUsageV1(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(), rs.getBigDecimal(6), rs.getLong(7),
                            rs.getLong(8), now, d.dimensions));
                    traces.add(d.traceparent);
                }
            }
        }
        Map<MeterPeriod, RatedUsageV1.Charge> charges = charges(c, rows, now);
        for (int j = 0; j < rows.size(); j++) {
            RatedUsageV1 s = rows.get(j);
            RatedUsageV1 priced = new RatedUsageV1(s.tenantId(), s.customerId(), s.meterKey(), s.periodStart(), s.periodEnd(), s.quantity(),
                    s.eventCount(), s.version(), s.ratedAt(), s.dimensions(),
                    charges.get(new MeterPeriod(s.tenantId(), s.customerId(), s.meterKey(), s.periodStart())));
            out.add(new OutboxRecord(s.tenantId() + "/" + s.customerId(), json.writeValueAsString(priced), traces.get(j)));
        }
        return out;
    }

    /** The plan version in force for a customer's billing period, with the customer's currency; null when none is. */
    private record PlanInForce(String currency, String planKey, int version, PlanSpec spec) {
    }

    /**
     * The plan in force in {@code period} at {@code now} (clamped into the period: the last instant once it ended),
     * or null: no customer, no subscription in the period (its usage is metered, not priced), or a plan version
     * not yet in rating's catalog view (logged).
     */
    private PlanInForce planInForce(String tenantId, String customerId, BillingPeriod period, Instant now) {
        CatalogRecordV1.Customer customer = catalog.customer(tenantId, customerId);
        Instant at = now.isBefore(period.end()) ? (now.isBefore(period.start()) ? period.start() : now) : period.lastInstant();
        Subscription sub = catalog.subscriptions(tenantId, customerId).stream()
                .filter(x -> x.activeAt(period.start())).findFirst().orElse(null);
        if (customer == null || sub == null) {
            return null;
        }
        Subscription.Phase phase = sub.phaseAt(at.isBefore(sub.start()) ? sub.start() : at).orElse(null);
        CatalogRecordV1.PlanVersion version = phase == null ? null : catalog.planVersion(tenantId, phase.planKey(), phase.planVersion());
        if (version == null) {
            if (phase != null) {
                LOG.warnf("usage of %s/%s not priced: plan %s v%d is not in rating's catalog view yet", tenantId, customerId, phase.planKey(),
                        phase.planVersion());
            }
            return null;
        }
        return new PlanInForce(customer.currency(), phase.planKey(), phase.planVersion(), version.spec());
    }

    /**
     * The charge of every meter in {@code rows}, priced on its period total over all groups as this transaction
     * sees it, with the draft invoice's pure functions: one query for all the poll's (customer, period) pairs.
     */
    private Map<MeterPeriod, RatedUsageV1.Charge> charges(Connection c, List<RatedUsageV1> rows, Instant now) throws SQLException {
        Map<MeterPeriod, BillingPeriod> periods = new LinkedHashMap<>(); // keyed with meterKey null: one per customer and period
        for (RatedUsageV1 r : rows) {
            periods.putIfAbsent(new MeterPeriod(r.tenantId(), r.customerId(), null, r.periodStart()), new BillingPeriod(r.periodStart(), r.periodEnd()));
        }
        Map<MeterPeriod, PlanInForce> plans = new HashMap<>();
        periods.forEach((k, period) -> {
            PlanInForce p = planInForce(k.tenantId(), k.customerId(), period, now);
            if (p != null) {
                plans.put(k, p);
            }
        });
        Map<MeterPeriod, RatedUsageV1.Charge> out = new HashMap<>();
        if (plans.isEmpty()) {
            return out;
        }
        Map<MeterPeriod, Map<String, PlanCharges.MeterUsage>> usage = UsageQueries.periods(c, plans.keySet());
        for (Map.Entry<MeterPeriod, PlanInForce> e : plans.entrySet()) {
            MeterPeriod k = e.getKey();
            PlanInForce p = e.getValue();
            Invoice priced = InvoiceCalculator.compute(p.currency(), periods.get(k),
                    PlanCharges.of(p.spec(), usage.getOrDefault(k, Map.of())), RoundingPolicy.DEFAULT);
            for (InvoiceLine l : priced.lines()) {
                if (l.meterKey() != null) {
                    out.put(new MeterPeriod(k.tenantId(), k.customerId(), l.meterKey(), k.periodStart()), new RatedUsageV1.Charge(p.planKey(),
                            p.version(), p.currency(), l.quantity(), l.unroundedAmount(),
                            l.explanation().stream().map(Evaluation.Step::text).toList()));
                }
            }
        }
        return out;
    }



    private void upsertDays(Connection c, Map<DayKey, Delta> days) throws Exception {
        int n = days.size();
        String[] tenants = new String[n];
        String[] customers = new String[n];
        String[] meters = new String[n];
        Date[] dates = new Date[n];
        String[] dims = new String[n];
        BigDecimal[] quantities = new BigDecimal[n];
        Long[] counts = new Long[n];
        String[] samples = new String[n];
        int i = 0;
        for (Map.Entry<DayKey, Delta> e : days.entrySet()) {
            samples[i] = e.getValue().samples == null ? "[]" : json.writeValueAsString(e.getValue().samples);
            tenants[i] = e.getKey().tenantId();
            customers[i] = e.getKey().customerId();
            meters[i] = e.getKey().meterKey();
            dates[i] = Date.valueOf(e.getKey().day());
            dims[i] = e.getKey().dimensions();
            quantities[i] = e.getValue().quantity;
            counts[i] = e.getValue().events;
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_daily (tenant_id, customer_id, meter_key, day, dimensions, quantity, event_count, sample_event_ids)
                select t, cu, m, d, dm, q, n, array(select json_array_elements_text(s::json))
                from unnest(?::text[], ?::text[], ?::text[], ?::date[], ?::text[], ?::numeric[], ?::bigint[], ?::text[])
                  as u(t, cu, m, d, dm, q, n, s)
                on conflict (tenant_id, customer_id, meter_key, day, dimensions) do update
                  set quantity = usage_daily.quantity + excluded.quantity,
                      event_count = usage_daily.event_count + excluded.event_count,
                      sample_event_ids = case when cardinality(usage_daily.sample_event_ids) >= 3 then usage_daily.sample_event_ids
                                              else (usage_daily.sample_event_ids || excluded.sample_event_ids)[1:3] end,
                      updated_at = now()""")) {
            ps.setArray(1, c.createArrayOf("text", tenants));
            ps.setArray(2, c.createArrayOf("text", customers));
            ps.setArray(3, c.createArrayOf("text", meters));
            ps.setArray(4, c.createArrayOf("date", dates));
            ps.setArray(5, c.createArrayOf("text", dims));
            ps.setArray(6, c.createArrayOf("numeric", quantities));
            ps.setArray(7, c.createArrayOf("int8", counts));
            ps.setArray(8, c.createArrayOf("text", samples));
            ps.executeUpdate();
        }
    }

    /**
     * For every limited meter this poll changed: its period total after the poll, and the alert
     * thresholds crossed on the way from before (total − this poll's delta) — each recorded in
     * {@code alert_sent} and written to the outbox only the first time in the period.
     */
    private Map<MeterPeriod, BigDecimal> checkLimits(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        Map<MeterPeriod, BigDecimal> changed = new LinkedHashMap<>();
        Map<MeterPeriod, Instant> ends = new HashMap<>();
        Map<MeterPeriod, CatalogRecordV1.Limit> limits = new HashMap<>();
        for (Map.Entry<AggKey, Delta> e : deltas.entrySet()) {
            AggKey k = e.getKey();
            CatalogRecordV1.Limit limit = catalog.limit(k.tenantId(), k.customerId(), k.meterKey()); // read once per poll and meter
            if (limit != null) {
                MeterPeriod m = new MeterPeriod(k.tenantId(), k.customerId(), k.meterKey(), k.periodStart());
                changed.merge(m, e.getValue().quantity, BigDecimal::add);
                ends.put(m, e.getValue().periodEnd);
                limits.putIfAbsent(m, limit);
            }
        }
        if (changed.isEmpty()) {
            return Map.of();
        }
        Map<MeterPeriod, BigDecimal> totals = new HashMap<>();
        List<OutboxRecord> alerts = new ArrayList<>();
        Instant now = clock.instant();
        for (Map.Entry<MeterPeriod, BigDecimal> e : changed.entrySet()) {
            MeterPeriod m = e.getKey();
            BigDecimal after = UsageQueries.periodTotal(c, m);
            totals.put(m, after);
            CatalogRecordV1.Limit l = limits.get(m);
            Entitlement ent = new Entitlement(l.limit(), l.hard(), l.alertAt());
            for (int percent : ent.crossed(after.subtract(e.getValue()), after)) {
                if (markSent(c, m, percent, after)) {
                    alerts.add(alert(m, ends.get(m), percent, l.limit(), after, l.hard(), ent.blocked(after), now));
                }
            }
        }
        if (!alerts.isEmpty()) {
            Outbox.append(c, Topics.ALERTS, AlertV1.SCHEMA, alerts);
        }
        return totals;
    }

    /**
     * For every customer with a spend budget whose usage this poll changed: the period's running
     * amount before and after the poll (the draft invoice's pure functions, on the period's usage as
     * this transaction sees it), and the budget thresholds crossed — each announced once per period,
     * as an alert on the pseudo-meter {@value CatalogRecordV1.Limit#SPEND}.
     */
    private void checkBudgets(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        Map<MeterPeriod, Map<String, BigDecimal>> touched = new LinkedHashMap<>();
        Map<MeterPeriod, Instant> ends = new HashMap<>();
        for (Map.Entry<AggKey, Delta> e : deltas.entrySet()) {
            AggKey k = e.getKey();
            if (catalog.limit(k.tenantId(), k.customerId(), CatalogRecordV1.Limit.SPEND) != null) {
                MeterPeriod m = new MeterPeriod(k.tenantId(), k.customerId(), CatalogRecordV1.Limit.SPEND, k.periodStart());
                touched.computeIfAbsent(m, x -> new HashMap<>()).merge(k.meterKey(), e.getValue().quantity, BigDecimal::add);
                ends.put(m, e.getValue().periodEnd);
            }
        }
        if (touched.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<OutboxRecord> alerts = new ArrayList<>();
        for (Map.Entry<MeterPeriod, Map<String, BigDecimal>> e : touched.entrySet()) {
            MeterPeriod m = e.getKey();
            BillingPeriod period = new BillingPeriod(m.periodStart(), ends.get(m));
            CatalogRecordV1.Limit budget = catalog.limit(m.tenantId(), m.customerId(), CatalogRecordV1.Limit.SPEND);
            PlanInForce plan = budget == null ? null : planInForce(m.tenantId(), m.customerId(), period, now);
            if (plan == null) {
                continue; // usage outside a subscription is metered, not priced
            }
            Map<String, PlanCharges.MeterUsage> after = UsageQueries.period(c, m.tenantId(), m.customerId(), m.periodStart());
            Map<String, PlanCharges.MeterUsage> before = new HashMap<>(after);
            e.getValue().forEach((meter, delta) -> before.computeIfPresent(meter,
                    (k, u) -> new PlanCharges.MeterUsage(u.quantity().subtract(delta), u.eventCount())));
            BigDecimal spentAfter = spend(plan.currency(), period, plan.spec(), after);
            BigDecimal spentBefore = spend(plan.currency(), period, plan.spec(), before);
            Entitlement ent = new Entitlement(budget.limit(), false, budget.alertAt());
            for (int percent : ent.crossed(spentBefore, spentAfter)) {
                if (markSent(c, m, percent, spentAfter)) {
                    alerts.add(alert(m, period.end(), percent, budget.limit(), spentAfter, false, false, now));
                }
            }
        }
        if (!alerts.isEmpty()) {
            Outbox.append(c, Topics.ALERTS, AlertV1.SCHEMA, alerts);
        }
    }

    /** The period's running amount: the draft invoice's total for this usage (lines rounded once, then summed). */
    private static BigDecimal spend(String currency, BillingPeriod period, PlanSpec spec,
            Map<String, PlanCharges.MeterUsage> usage) {
        return InvoiceCalculator.compute(currency, period, PlanCharges.of(spec, usage),
                RoundingPolicy.DEFAULT).total().amount();
    }

    /** The outbox record of one threshold crossing; its id names the crossing, so it is the same wherever it is written. */
    private OutboxRecord alert(MeterPeriod m, Instant periodEnd, int percent, BigDecimal limit, BigDecimal quantity, boolean hard,
            boolean blocked, Instant now) throws Exception {
        AlertV1 a = new AlertV1(m.tenantId() + "/" + m.customerId() + "/" + m.meterKey() + "/" + m.periodStart() + "/" + percent, m.tenantId(),
                m.customerId(), m.meterKey(), m.periodStart(), periodEnd, percent, limit, quantity, hard, blocked, now);
        return new OutboxRecord(m.tenantId() + "/" + m.customerId(), json.writeValueAsString(a), null);
    }

    /** Records a crossing in {@code alert_sent}; false if it was announced before in this period. */
    private static boolean markSent(Connection c, MeterPeriod m, int percent, BigDecimal quantity) throws SQLException {
        try (PreparedStatement sent = c.prepareStatement("""
                insert into alert_sent (tenant_id, customer_id, meter_key, period_start, percent, quantity) values (?, ?, ?, ?, ?, ?)
                on conflict do nothing""")) {
            sent.setString(1, m.tenantId());
            sent.setString(2, m.customerId());
            sent.setString(3, m.meterKey());
            sent.setTimestamp(4, Timestamp.from(m.periodStart()));
            sent.setInt(5, percent);
            sent.setBigDecimal(6, quantity);
            return sent.executeUpdate() == 1;
        }
    }

    /** Stores the partitions' new bounds (never moving one back) and returns a WatermarkV1 for each that advanced. */
    private List<OutboxRecord> advanceWatermarks(Connection c, Map<TopicPartition, Instant> markers) throws Exception {
        List<OutboxRecord> out = new ArrayList<>();
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into partition_watermark as w (topic, kafka_partition, accepted_before) values (?, ?, ?)
                on conflict (topic, kafka_partition) do update set accepted_before = excluded.accepted_before, updated_at = now()
                  where w.accepted_before < excluded.accepted_before
                returning accepted_before""")) {
            for (Map.Entry<TopicPartition, Instant> m : markers.entrySet()) {
                ps.setString(1, m.getKey().topic());
                ps.setInt(2, m.getKey().partition());
                ps.setTimestamp(3, Timestamp.from(m.getValue()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        WatermarkV1 w = new WatermarkV1(m.getKey().partition(), rs.getTimestamp(1).toInstant(), now);
                        out.add(new OutboxRecord("rating/" + w.partition(), json.writeValueAsString(w), null));
                    }
                }
            }
        }
        return out;
    }

    private static void saveHighWater(Connection c, Map<BatchKey, Integer> changed) throws SQLException {
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into applied_batch (topic, kafka_partition, outbox_id, last_position) values (?, ?, ?, ?)
                on conflict (topic, kafka_partition, outbox_id) do update
                  set last_position = greatest(applied_batch.last_position, excluded.last_position)""")) {
            for (Map.Entry<BatchKey, Integer> e : changed.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getKey().outboxId());
                ps.setInt(4, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Stored next offsets for the given partitions (absent: never consumed). */
    public Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions) throws SQLException {
        return StoredOffsets.read(dataSource, OFFSETS, partitions);
    }
}
