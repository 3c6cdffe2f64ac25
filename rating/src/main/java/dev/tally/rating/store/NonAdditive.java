package dev.tally.rating.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.AvgAccumulator;
import dev.tally.model.metering.agg.LatestAccumulator;
import dev.tally.model.metering.agg.MaxAccumulator;
import dev.tally.model.metering.agg.MeterFilter;
import dev.tally.model.metering.agg.MinAccumulator;
import dev.tally.model.metering.agg.Observation;
import dev.tally.model.metering.agg.PercentileAccumulator;
import dev.tally.model.metering.agg.QuantileSketch;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

    private record ObsKey(RatingStore.AggKey agg, String eventId) {
    }

    static Map<RatingStore.AggKey, Change> apply(Connection c, ObjectMapper json, Map<RatingStore.AggKey, Work> work) throws Exception {
        Map<RatingStore.AggKey, Stored> stored = load(c, work.keySet());
        // the net effect per (aggregate, event): the last operation wins (an event goes in, out, in ... in order)
        Map<ObsKey, Op> net = new LinkedHashMap<>();
        Set<RatingStore.AggKey> recompute = new HashSet<>();
        for (Map.Entry<RatingStore.AggKey, Work> e : work.entrySet()) {
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
        Map<RatingStore.AggKey, Set<String>> knownKeys = knownUniqueKeys(c, work, recompute);
        writeObservations(c, net);

        Map<RatingStore.AggKey, Change> out = new HashMap<>();
        for (Map.Entry<RatingStore.AggKey, Work> e : work.entrySet()) {
            RatingStore.AggKey k = e.getKey();
            Work w = e.getValue();
            Stored before = stored.getOrDefault(k, new Stored(BigDecimal.ZERO, null));
            BigDecimal quantity;
            String state = null;
            if (w.meter.aggregation() == Aggregation.UNIQUE_COUNT) {
                state = json.createObjectNode().put("a", Aggregation.UNIQUE_COUNT.name()).put("d", definition(w.meter)).toString();
                if (recompute.contains(k) || !definition(w.meter).equals(fingerprintOf(json, before.state()))) {
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
                Accumulator kept = recompute.contains(k) ? null : decode(json, w.meter, before.state());
                if (kept == null) {
                    acc = w.meter.empty(w.period).addAll(observations(c, k));
                } else {
                    List<Observation> added = new ArrayList<>(w.ops.size());
                    w.ops.forEach(op -> added.add(op.observation()));
                    acc = kept.merge(w.meter.empty(w.period).addAll(added));
                }
                quantity = w.meter.quantity(acc);
                state = encode(json, acc, w.meter);
            }
            out.put(k, new Change(quantity.subtract(before.quantity()), state));
        }
        return out;
    }

    /** The stored quantity and state of the aggregates that exist, locked for this transaction. */
    private static Map<RatingStore.AggKey, Stored> load(Connection c, Set<RatingStore.AggKey> keys) throws SQLException {
        Map<RatingStore.AggKey, Stored> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select a.tenant_id, a.customer_id, a.meter_key, a.period_start, a.dimensions, a.quantity, a.state
                from usage_aggregate a
                join unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[]) as k(t, cu, m, ps, dm)
                  on a.tenant_id = k.t and a.customer_id = k.cu and a.meter_key = k.m and a.period_start = k.ps and a.dimensions = k.dm
                for update of a""")) {
            bindKeys(c, ps, keys, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new RatingStore.AggKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getString(5)), new Stored(rs.getBigDecimal(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** For UNIQUE_COUNT aggregates taking only new events: which of the poll's keys they had observed before it. */
    private static Map<RatingStore.AggKey, Set<String>> knownUniqueKeys(Connection c, Map<RatingStore.AggKey, Work> work,
            Set<RatingStore.AggKey> recompute) throws SQLException {
        List<RatingStore.AggKey> aggs = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<RatingStore.AggKey, Work> e : work.entrySet()) {
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
        Map<RatingStore.AggKey, Set<String>> out = new HashMap<>();
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
                    out.computeIfAbsent(new RatingStore.AggKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getString(5)), x -> new HashSet<>()).add(rs.getString(6));
                }
            }
        }
        return out;
    }

    /** Deletes the observations whose last operation took them out, and stores (or replaces) the others. */
    private static void writeObservations(Connection c, Map<ObsKey, Op> net) throws SQLException {
        List<RatingStore.AggKey> outAggs = new ArrayList<>();
        List<String> outIds = new ArrayList<>();
        List<RatingStore.AggKey> inAggs = new ArrayList<>();
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
    static List<Observation> observations(Connection c, RatingStore.AggKey k) throws SQLException {
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

    private static BigDecimal distinctKeys(Connection c, RatingStore.AggKey k) throws SQLException {
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

    private static void bindKey(PreparedStatement ps, RatingStore.AggKey k) throws SQLException {
        ps.setString(1, k.tenantId());
        ps.setString(2, k.customerId());
        ps.setString(3, k.meterKey());
        ps.setTimestamp(4, Timestamp.from(k.periodStart()));
        ps.setString(5, k.dimensions());
    }

    private static void bindKeys(Connection c, PreparedStatement ps, Collection<RatingStore.AggKey> keys, int first)
            throws SQLException {
        int n = keys.size();
        String[] t = new String[n];
        String[] cu = new String[n];
        String[] m = new String[n];
        Timestamp[] p = new Timestamp[n];
        String[] d = new String[n];
        int i = 0;
        for (RatingStore.AggKey k : keys) {
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

    // --- accumulator state as JSON; decimals as strings, so nothing passes through double ---

    /**
     * The state kept: for MIN, MAX, AVG, LATEST and PERCENTILE the accumulator; for every one the definition it
     * was computed under ({@link #definition}).
     */
    static String encode(ObjectMapper json, Accumulator acc, MeterDefinition meter) throws Exception {
        ObjectNode n = json.createObjectNode().put("a", acc.aggregation().name()).put("d", definition(meter));
        switch (acc) {
            case MinAccumulator a -> n.put("n", a.count()).put("v", str(a.min()));
            case MaxAccumulator a -> n.put("n", a.count()).put("v", str(a.max()));
            case AvgAccumulator a -> n.put("n", a.count()).put("sum", a.sum().toString());
            case LatestAccumulator a -> {
                n.put("n", a.count());
                if (a.latest() != null) {
                    n.put("id", a.latest().eventId()).put("at", a.latest().timestamp().toString()).put("v", a.latest().value().toString());
                }
            }
            case PercentileAccumulator a -> {
                QuantileSketch s = a.sketch();
                n.put("p", a.percentile().toPlainString()).put("zero", s.zeroCount()).put("min", str(s.min())).put("max", str(s.max()));
                ObjectNode pos = n.putObject("pos");
                s.positive().forEach((i, count) -> pos.put(Integer.toString(i), count));
                ObjectNode neg = n.putObject("neg");
                s.negative().forEach((i, count) -> neg.put(Integer.toString(i), count));
            }
            default -> {
                // TIME_WEIGHTED_SUM: its state is every sample, recomputed from the observations
            }
        }
        return json.writeValueAsString(n);
    }

    /**
     * What the stored state was computed under: the aggregation, property, percentile, group-by and filter
     * (canonical text). A meter whose definition changed since is recomputed, never merged into.
     */
    static String definition(MeterDefinition m) {
        StringBuilder b = new StringBuilder().append(m.aggregation()).append('|').append(m.eventType()).append('|').append(m.property())
                .append('|').append(m.percentile() == null ? "" : m.percentile().stripTrailingZeros().toPlainString()).append('|')
                .append(String.join(",", m.groupBy())).append('|');
        for (MeterFilter.Condition c : m.filter().conditions()) {
            switch (c) {
                case MeterFilter.Equals e -> b.append("eq:").append(e.property()).append('=').append(e.value());
                case MeterFilter.In in -> b.append("in:").append(in.property()).append('=')
                        .append(String.join(",", new TreeSet<>(in.values())));
                case MeterFilter.Exists x -> b.append("exists:").append(x.property());
            }
            b.append(';');
        }
        return b.toString();
    }

    private static String fingerprintOf(ObjectMapper json, String state) throws Exception {
        return state == null ? null : json.readTree(state).path("d").asText(null);
    }

    /**
     * The stored state as an accumulator of {@code meter}; null when there is none or it was kept under another
     * definition (the meter's aggregation or percentile changed since): the caller recomputes then.
     */
    static Accumulator decode(ObjectMapper json, MeterDefinition meter, String state) throws Exception {
        if (state == null) {
            return null;
        }
        JsonNode n = json.readTree(state);
        if (!meter.aggregation().name().equals(n.path("a").asText()) || !definition(meter).equals(n.path("d").asText(null))
                || (meter.percentile() != null && dec(n, "p").compareTo(meter.percentile()) != 0)) {
            return null;
        }
        long count = n.path("n").asLong();
        return switch (meter.aggregation()) {
            case MIN -> new MinAccumulator(dec(n, "v"), count);
            case MAX -> new MaxAccumulator(dec(n, "v"), count);
            case AVG -> new AvgAccumulator(dec(n, "sum"), count);
            case LATEST -> new LatestAccumulator(n.hasNonNull("id")
                    ? Observation.of(n.get("id").asText(), Instant.parse(n.get("at").asText()), dec(n, "v")) : null, count);
            case PERCENTILE -> new PercentileAccumulator(dec(n, "p"), new QuantileSketch(buckets(n.get("pos")), buckets(n.get("neg")),
                    n.path("zero").asLong(), dec(n, "min"), dec(n, "max")));
            default -> throw new IllegalStateException(meter.aggregation() + " keeps no state");
        };
    }

    private static TreeMap<Integer, Long> buckets(JsonNode node) {
        TreeMap<Integer, Long> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return out;
    }

    private static String str(BigDecimal d) {
        return d == null ? null : d.toString();
    }

    private static BigDecimal dec(JsonNode n, String field) {
        return n.hasNonNull(field) ? new BigDecimal(n.get(field).asText()) : null;
    }
}
