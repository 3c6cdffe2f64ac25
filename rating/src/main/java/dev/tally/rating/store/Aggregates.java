package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.platform.usage.StoredSegments;
import dev.tally.rating.store.PollDeltas.DayKey;
import dev.tally.rating.store.PollDeltas.Delta;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a poll's deltas, in the poll's transaction: the non-additive meters' observations ({@link NonAdditive}),
 * {@code usage_aggregate} ({@code quantity += delta}, {@code version += 1}) and {@code usage_daily}.
 */
@ApplicationScoped
class Aggregates {
    @Inject
    ObjectMapper json;

    /** An aggregate as it stands after the poll, with the trace of the last record that moved it. */
    record Stored(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd, BigDecimal quantity,
            long eventCount, long version, Map<String, String> dimensions, String traceparent, List<RatedUsageV1.Segment> segments) {
    }

    /** Stores the poll's observations and sets the non-additive aggregates' deltas to move them to their new values. */
    void foldNonAdditive(Connection c, PollDeltas poll) throws Exception {
        if (poll.nonAdditive.isEmpty()) {
            return;
        }
        NonAdditive.apply(c, json, poll.nonAdditive).forEach((k, change) -> {
            Delta d = poll.periods.get(k);
            d.quantity = change.quantityDelta();
            d.state = change.state();
        });
    }

    /** Adds the deltas to their aggregates; returns every aggregate moved, as stored now. */
    List<Stored> upsert(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        List<Stored> out = new ArrayList<>(deltas.size());
        try (PreparedStatement ps = c.prepareStatement("""
                insert into usage_aggregate (tenant_id, customer_id, meter_key, period_start, period_end, quantity, event_count, version,
                  dimensions, state, segments)
                select t, cu, m, ps, pe, q, n, 1, dm, st, sg::jsonb
                from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::numeric[], ?::bigint[], ?::text[],
                  ?::text[], ?::text[]) as d(t, cu, m, ps, pe, q, n, dm, st, sg)
                on conflict (tenant_id, customer_id, meter_key, period_start, dimensions) do update
                  set quantity = usage_aggregate.quantity + excluded.quantity,
                      event_count = usage_aggregate.event_count + excluded.event_count,
                      state = excluded.state,
                      segments = case when excluded.segments is null then usage_aggregate.segments
                                      else add_segments(usage_aggregate.segments, excluded.segments) end,
                      version = usage_aggregate.version + 1,
                      updated_at = now()
                returning tenant_id, customer_id, meter_key, period_start, period_end, quantity, event_count, version, dimensions,
                  segments::text""")) {
            bindAggregates(c, ps, deltas);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant periodStart = rs.getTimestamp(4).toInstant();
                    Delta d = deltas.get(new AggKey(rs.getString(1), rs.getString(2), rs.getString(3), periodStart, rs.getString(9)));
                    out.add(new Stored(rs.getString(1), rs.getString(2), rs.getString(3), periodStart, rs.getTimestamp(5).toInstant(),
                            rs.getBigDecimal(6), rs.getLong(7), rs.getLong(8), d.dimensions, d.traceparent, StoredSegments.parse(rs.getString(10))));
                }
            }
        }
        return out;
    }

    /** A delta's parts in later segments as the column stores them, or null. */
    private static String segmentsJson(Delta d) {
        if (d.segments == null) {
            return null;
        }
        List<RatedUsageV1.Segment> parts = new ArrayList<>();
        d.segments.forEach((start, part) -> parts.add(new RatedUsageV1.Segment(start, part.quantity, part.events)));
        return StoredSegments.format(parts);
    }

    private void bindAggregates(Connection c, PreparedStatement ps, Map<AggKey, Delta> deltas) throws Exception {
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
        String[] segments = new String[n];
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
            segments[i] = segmentsJson(e.getValue());
            i++;
        }
        ps.setArray(1, c.createArrayOf("text", tenants));
        ps.setArray(2, c.createArrayOf("text", customers));
        ps.setArray(3, c.createArrayOf("text", meters));
        ps.setArray(4, c.createArrayOf("timestamptz", starts));
        ps.setArray(5, c.createArrayOf("timestamptz", ends));
        ps.setArray(6, c.createArrayOf("numeric", quantities));
        ps.setArray(7, c.createArrayOf("int8", counts));
        ps.setArray(8, c.createArrayOf("text", dims));
        ps.setArray(9, c.createArrayOf("text", states));
        ps.setArray(10, c.createArrayOf("text", segments));
    }

    /** Adds the deltas to their days, keeping the first {@value PollDeltas#DAY_SAMPLES} event ids of each. */
    void upsertDays(Connection c, Map<DayKey, Delta> days) throws Exception {
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
}
