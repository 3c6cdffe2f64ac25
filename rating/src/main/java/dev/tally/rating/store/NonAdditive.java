package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.Observation;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One poll's changes to the aggregates of non-additive meters (everything but COUNT and SUM), inside rating's
 * poll transaction. Every observation is kept in {@code usage_observation}; the aggregate then moves by the
 * cheapest exact route:
 * <ul>
 * <li>only new events, MIN / MAX / AVG / LATEST / PERCENTILE: the stored accumulator ({@code state}) merged with
 * the poll's accumulator — constant work per event;</li>
 * <li>only new events, UNIQUE_COUNT: the stored count plus the poll's keys not yet observed in the aggregate
 * (an index probe per key);</li>
 * <li>a retraction or amendment in the poll, and TIME_WEIGHTED_SUM always (a sample changes the level until the
 * next one): recomputed from all the aggregate's stored observations with the same shared-model accumulator.</li>
 * </ul>
 */
final class NonAdditive {
    private NonAdditive() {
    }

    /** One event's observation going into ({@code sign} 1) or out of (-1) an aggregate, in stream order. */
    record Op(Observation observation, int sign) {
    }

    /** A poll's work on one aggregate. */
    static final class Work {
        final MeterDefinition meter;
        final BillingPeriod period;
        final List<Op> ops = new ArrayList<>();

        Work(MeterDefinition meter, BillingPeriod period) {
            this.meter = meter;
            this.period = period;
        }
    }

    /** The aggregate's new quantity as a delta on the stored one, and its new state (null: none kept). */
    record Change(BigDecimal quantityDelta, String state) {
    }

    private record Stored(BigDecimal quantity, String state) {
    }

    private record ObsKey(AggKey agg, String eventId) {
    }

    static Map<AggKey, Change> apply(Connection c, ObjectMapper json, Map<AggKey, Work> work) throws Exception {
        Map<AggKey, Stored> stored = load(c, work.keySet());
        // the net effect per (aggregate, event): the last operation wins (an event goes in, out, in ... in order)
        Map<ObsKey, Op> net = new LinkedHashMap<>();
        Set<AggKey> recompute = new HashSet<>();
        for (Map.Entry<AggKey, Work> e : work.entrySet()) {
            Aggregation a = e.getValue().meter.aggregation();
            if (a == Aggregation.TIME_WEIGHTED_SUM) {
                recompute.add(e.getKey());
            }
            for (Op op : e.getValue().ops) {
                if (op.sign() < 0) {
                    recompute.add(e.getKey());
                }
                net.put(new ObsKey(e.getKey(), op.observation().eventId()), op);
            }
        }
        Map<AggKey, Set<String>> knownKeys = knownUniqueKeys(c, work, recompute);
        writeObservations(c, net);

        Map<AggKey, Change> out = new HashMap<>();
        for (Map.Entry<AggKey, Work> e : work.entrySet()) {
            AggKey k = e.getKey();
            Work w = e.getValue();
            Stored before = stored.getOrDefault(k, new Stored(BigDecimal.ZERO, null));
            BigDecimal quantity;
            String state = null;
            if (w.meter.aggregation() == Aggregation.UNIQUE_COUNT) {
                String definition = AccumulatorState.definition(w.meter);
                state = json.createObjectNode().put("a", Aggregation.UNIQUE_COUNT.name()).put("d", definition).toString();
                if (recompute.contains(k) || !definition.equals(AccumulatorState.fingerprintOf(json, before.state()))) {
                    quantity = distinctKeys(c, k);
                } else {
                    Set<String> fresh = new HashSet<>();
                    for (Op op : w.ops) {
                        fresh.add(op.observation().key());
                    }
                    fresh.removeAll(knownKeys.getOrDefault(k, Set.of()));
                    quantity = before.quantity().add(BigDecimal.valueOf(fresh.size()));
                }
            } else {
                Accumulator acc;
                Accumulator kept = recompute.contains(k) ? null : AccumulatorState.decode(json, w.meter, before.state());
                if (kept == null) {
                    acc = w.meter.empty(w.period).addAll(observations(c, k));
                } else {
                    List<Observation> added = new ArrayList<>(w.ops.size());
                    w.ops.forEach(op -> added.add(op.observation()));
                    acc = kept.merge(w.meter.empty(w.period).addAll(added));
                }
                quantity = w.meter.quantity(acc);
                state = AccumulatorState.encode(json, acc, w.meter);
            }
            out.put(k, new Change(quantity.subtract(before.quantity()), state));
        }
        return out;
    }

    /** The stored quantity and state of the aggregates that exist, locked for this transaction. */
    private static Map<AggKey, Stored> load(Connection c, Set<AggKey> keys) throws SQLException {
        Map<AggKey, Stored> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select a.tenant_id, a.customer_id, a.meter_key, a.period_start, a.dimensions, a.quantity, a.state
                from usage_aggregate a
                join unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[]) as k(t, cu, m, ps, dm)
                  on a.tenant_id = k.t and a.customer_id = k.cu and a.meter_key = k.m and a.period_start = k.ps and a.dimensions = k.dm
                for update of a""")) {
            bindKeys(c, ps, keys, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new AggKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getString(5)), new Stored(rs.getBigDecimal(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** For UNIQUE_COUNT aggregates taking only new events: which of the poll's keys they had observed before it. */
    private static Map<AggKey, Set<String>> knownUniqueKeys(Connection c, Map<AggKey, Work> work,
            Set<AggKey> recompute) throws SQLException {
        List<AggKey> aggs = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<AggKey, Work> e : work.entrySet()) {
            if (e.getValue().meter.aggregation() != Aggregation.UNIQUE_COUNT || recompute.contains(e.getKey())) {
                continue;
            }
            Set<String> distinct = new HashSet<>();
            for (Op op : e.getValue().ops) {
                if (distinct.add(op.observation().key())) {
                    aggs.add(e.getKey());
                    keys.add(op.observation().key());
                }
            }
        }
        Map<AggKey, Set<String>> out = new HashMap<>();
        if (aggs.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select k.t, k.cu, k.m, k.ps, k.dm, k.key
                from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[]) as k(t, cu, m, ps, dm, key)
                where exists (select 1 from usage_observation o
                              where o.tenant_id = k.t and o.customer_id = k.cu and o.meter_key = k.m and o.period_start = k.ps
                                and o.dimensions = k.dm and o.key = k.key)""")) {
            bindKeys(c, ps, aggs, 1);
            ps.setArray(6, c.createArrayOf("text", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(new AggKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getString(5)), x -> new HashSet<>()).add(rs.getString(6));
                }
            }
        }
        return out;
    }

    /** Deletes the observations whose last operation took them out, and stores (or replaces) the others. */
    private static void writeObservations(Connection c, Map<ObsKey, Op> net) throws SQLException {
        List<AggKey> outAggs = new ArrayList<>();
        List<String> outIds = new ArrayList<>();
        List<AggKey> inAggs = new ArrayList<>();
        List<Observation> in = new ArrayList<>();
        for (Map.Entry<ObsKey, Op> e : net.entrySet()) {
            if (e.getValue().sign() < 0) {
                outAggs.add(e.getKey().agg());
                outIds.add(e.getKey().eventId());
            } else {
                inAggs.add(e.getKey().agg());
                in.add(e.getValue().observation());
            }
        }
        if (!outAggs.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    delete from usage_observation o
                    using unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[]) as k(t, cu, m, ps, dm, e)
                    where o.tenant_id = k.t and o.customer_id = k.cu and o.meter_key = k.m and o.period_start = k.ps
                      and o.dimensions = k.dm and o.event_id = k.e""")) {
                bindKeys(c, ps, outAggs, 1);
                ps.setArray(6, c.createArrayOf("text", outIds.toArray()));
                ps.executeUpdate();
            }
        }
        if (!inAggs.isEmpty()) {
            int n = in.size();
            String[] ids = new String[n];
            Timestamp[] times = new Timestamp[n];
            Integer[] nanos = new Integer[n];
            BigDecimal[] values = new BigDecimal[n];
            String[] keys = new String[n];
            for (int i = 0; i < n; i++) {
                Observation o = in.get(i);
                ids[i] = o.eventId();
                // timestamptz keeps microseconds and would round up into the next second; the nanos are kept apart
                times[i] = Timestamp.from(o.timestamp().truncatedTo(ChronoUnit.MICROS));
                nanos[i] = o.timestamp().getNano();
                values[i] = o.value();
                keys[i] = o.key();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into usage_observation (tenant_id, customer_id, meter_key, period_start, dimensions, event_id, observed_at,
                      observed_nano, value, key)
                    select * from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::timestamptz[], ?::int[],
                      ?::numeric[], ?::text[])
                    on conflict (tenant_id, customer_id, meter_key, period_start, dimensions, event_id) do update
                      set observed_at = excluded.observed_at, observed_nano = excluded.observed_nano, value = excluded.value,
                          key = excluded.key""")) {
                bindKeys(c, ps, inAggs, 1);
                ps.setArray(6, c.createArrayOf("text", ids));
                ps.setArray(7, c.createArrayOf("timestamptz", times));
                ps.setArray(8, c.createArrayOf("int4", nanos));
                ps.setArray(9, c.createArrayOf("numeric", values));
                ps.setArray(10, c.createArrayOf("text", keys));
                ps.executeUpdate();
            }
        }
    }

    /** Every stored observation of one aggregate. */
    static List<Observation> observations(Connection c, AggKey k) throws SQLException {
        List<Observation> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select event_id, observed_at, observed_nano, value, key from usage_observation
                where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ? and dimensions = ?""")) {
            bindKey(ps, k);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(observation(rs, 1));
                }
            }
        }
        return out;
    }

    /** The observation in columns event_id, observed_at, observed_nano, value, key from {@code first} on. */
    static Observation observation(ResultSet rs, int first) throws SQLException {
        Instant at = rs.getTimestamp(first + 1).toInstant();
        return new Observation(rs.getString(first), Instant.ofEpochSecond(at.getEpochSecond(), rs.getInt(first + 2)),
                rs.getBigDecimal(first + 3), rs.getString(first + 4));
    }

    private static BigDecimal distinctKeys(Connection c, AggKey k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select count(distinct key) from usage_observation
                where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ? and dimensions = ? and key is not null""")) {
            bindKey(ps, k);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return BigDecimal.valueOf(rs.getLong(1));
            }
        }
    }

    private static void bindKey(PreparedStatement ps, AggKey k) throws SQLException {
        ps.setString(1, k.tenantId());
        ps.setString(2, k.customerId());
        ps.setString(3, k.meterKey());
        ps.setTimestamp(4, Timestamp.from(k.periodStart()));
        ps.setString(5, k.dimensions());
    }

    private static void bindKeys(Connection c, PreparedStatement ps, Collection<AggKey> keys, int first)
            throws SQLException {
        int n = keys.size();
        String[] t = new String[n];
        String[] cu = new String[n];
        String[] m = new String[n];
        Timestamp[] p = new Timestamp[n];
        String[] d = new String[n];
        int i = 0;
        for (AggKey k : keys) {
            t[i] = k.tenantId();
            cu[i] = k.customerId();
            m[i] = k.meterKey();
            p[i] = Timestamp.from(k.periodStart());
            d[i] = k.dimensions();
            i++;
        }
        ps.setArray(first, c.createArrayOf("text", t));
        ps.setArray(first + 1, c.createArrayOf("text", cu));
        ps.setArray(first + 2, c.createArrayOf("text", m));
        ps.setArray(first + 3, c.createArrayOf("timestamptz", p));
        ps.setArray(first + 4, c.createArrayOf("text", d));
    }
}
