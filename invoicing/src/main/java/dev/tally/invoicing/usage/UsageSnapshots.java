package dev.tally.invoicing.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.payment.UsageExport;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.platform.kafka.RejectedRecords;
import dev.tally.platform.usage.MeterSums;
import dev.tally.platform.usage.StoredSegments;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The latest usage snapshot per (tenant, customer, meter, period); the highest version wins. */
@ApplicationScoped
public class UsageSnapshots {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    /** A meter's usage: its total, events and version over all groups, and each group's quantity (grouped meters only). */
    public record Usage(BigDecimal quantity, long eventCount, long version, Map<Map<String, String>, BigDecimal> groups,
            Map<Instant, PlanCharges.MeterUsage> segments) {
        /** @param segments the parts in later plan segments of the period (empty when the plan did not change in it) */
        public Usage {
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            segments = segments == null ? Map.of() : Map.copyOf(segments);
        }

        static Usage of(MeterSums s) {
            return new Usage(s.quantity(), s.events(), s.version(), s.groups(), s.usage().segments());
        }

        static Map<String, Usage> of(Map<String, MeterSums> byMeter) {
            Map<String, Usage> out = new HashMap<>();
            byMeter.forEach((meter, s) -> out.put(meter, of(s)));
            return out;
        }
    }

    /** Stores the snapshots in one transaction; older or repeated versions change nothing. */
    public void store(List<RatedUsageV1> snapshots) throws SQLException, JsonProcessingException {
        store(snapshots, List.of());
    }

    /**
     * Stores the snapshots, arms their usage export to Stripe where the meter is exported ({@link UsageExport}), and sets
     * the unreadable records aside in {@code rejected_record} (with the reason), in one transaction: one bad record does
     * not stall the partition, and none disappears.
     */
    public void store(List<RatedUsageV1> snapshots, List<RejectedRecords.Rejected> unreadable)
            throws SQLException, JsonProcessingException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into usage_snapshot (tenant_id, customer_id, meter_key, period_start, period_end, quantity, event_count, version,
                      dimensions, segments)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                    on conflict (tenant_id, customer_id, meter_key, period_start, dimensions) do update
                      set quantity = excluded.quantity, event_count = excluded.event_count, version = excluded.version,
                          period_end = excluded.period_end, segments = excluded.segments, received_at = now()
                      where usage_snapshot.version < excluded.version""")) {
                for (RatedUsageV1 s : snapshots) {
                    ps.setString(1, s.tenantId());
                    ps.setString(2, s.customerId());
                    ps.setString(3, s.meterKey());
                    ps.setTimestamp(4, Timestamp.from(s.periodStart()));
                    ps.setTimestamp(5, Timestamp.from(s.periodEnd()));
                    ps.setBigDecimal(6, s.quantity());
                    ps.setLong(7, s.eventCount());
                    ps.setLong(8, s.version());
                    ps.setString(9, json.writeValueAsString(s.dimensions() == null ? Map.of() : s.dimensions()));
                    ps.setString(10, StoredSegments.format(s.segments()));
                    ps.addBatch();
                }
                ps.executeBatch();
                UsageExport.enqueue(c, snapshots);
                RejectedRecords.insert(c, unreadable);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * As {@link #forPeriod}, for many (customer, period start) pairs in one query on the caller's connection: keyed
     * {@code customerId|periodStart}.
     */
    public Map<String, Map<String, Usage>> forPeriods(Connection c, String tenantId, List<String> customerIds, List<Instant> periodStarts)
            throws SQLException {
        Map<String, Map<String, MeterSums>> sums = new HashMap<>();
        Timestamp[] starts = new Timestamp[periodStarts.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = Timestamp.from(periodStarts.get(i));
        }
        // per key by the primary key (lateral), never a join over the tenant's rows (see LateUsageAdjustments)
        try (PreparedStatement ps = c.prepareStatement("""
                select s.customer_id, s.period_start, s.meter_key, s.dimensions, s.quantity, s.event_count, s.version, s.segments::text
                from (select distinct * from unnest(?::text[], ?::timestamptz[]) as k(customer_id, period_start)) k
                join lateral (select * from usage_snapshot s where s.tenant_id = ? and s.customer_id = k.customer_id
                              and s.period_start = k.period_start) s on true""")) {
            ps.setArray(1, c.createArrayOf("text", customerIds.toArray()));
            ps.setArray(2, c.createArrayOf("timestamptz", starts));
            ps.setString(3, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MeterSums.add(sums.computeIfAbsent(rs.getString(1) + "|" + rs.getTimestamp(2).toInstant(), k -> new HashMap<>()),
                            rs.getString(3), rs.getString(4), rs.getBigDecimal(5), rs.getLong(6), rs.getLong(7), rs.getString(8));
                }
            }
        }
        Map<String, Map<String, Usage>> out = new HashMap<>();
        sums.forEach((k, byMeter) -> out.put(k, Usage.of(byMeter)));
        return out;
    }

    /**
     * Usage by meter for one customer and period start, scoped to the tenant: a grouped meter's groups
     * summed (a meter's total is the sum of its groups' quantities, for every aggregation), {@code version} the sum of their versions (it grows whenever any does).
     */
    public Map<String, Usage> forPeriod(String tenantId, String customerId, Instant periodStart) {
        Map<String, MeterSums> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select meter_key, dimensions, quantity, event_count, version, segments::text from usage_snapshot
                     where tenant_id = ? and customer_id = ? and period_start = ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            ps.setTimestamp(3, Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MeterSums.add(out, rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getLong(4), rs.getLong(5), rs.getString(6));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Usage.of(out);
    }
}
