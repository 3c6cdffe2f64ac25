package dev.tally.rating.store;

import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.agg.Observation;
import dev.tally.platform.usage.MeterSums;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/** Reads of rating's usage tables, always for one tenant's customer. */
@ApplicationScoped
public class UsageQueries {
    @Inject
    DataSource dataSource;

    /** One meter's usage on one UTC day in one group ({@code dimensions} as stored: canonical JSON, '{}' ungrouped). */
    public record DayRow(String meterKey, LocalDate day, String dimensions, BigDecimal quantity, long eventCount, List<String> sampleEventIds) {
    }

    /** A meter's total in a period over all its groups, in the caller's connection (and transaction). */
    public static BigDecimal periodTotal(Connection c, RatingStore.MeterPeriod key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select coalesce(sum(quantity), 0) from usage_aggregate
                where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = ?""")) {
            ps.setString(1, key.tenantId());
            ps.setString(2, key.customerId());
            ps.setString(3, key.meterKey());
            ps.setTimestamp(4, Timestamp.from(key.periodStart()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    /** As {@link #period}, in the caller's connection (and transaction). */
    public static Map<String, PlanCharges.MeterUsage> period(Connection c, String tenantId, String customerId,
            Instant periodStart) throws SQLException {
        Map<String, MeterSums> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select meter_key, dimensions, quantity, event_count, segments::text from usage_aggregate
                where tenant_id = ? and customer_id = ? and period_start = ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            ps.setTimestamp(3, Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MeterSums.add(out, rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getLong(4), 0, rs.getString(5));
                }
            }
        }
        return MeterSums.usage(out);
    }

    /**
     * As {@link #period}, for several (tenant, customer, period start) at once — {@code meterKey} of the keys is
     * ignored — in the caller's connection (and transaction).
     */
    static Map<RatingStore.MeterPeriod, Map<String, PlanCharges.MeterUsage>> periods(Connection c,
            Collection<RatingStore.MeterPeriod> keys) throws SQLException {
        int n = keys.size();
        String[] tenants = new String[n];
        String[] customers = new String[n];
        Timestamp[] starts = new Timestamp[n];
        int i = 0;
        for (RatingStore.MeterPeriod k : keys) {
            tenants[i] = k.tenantId();
            customers[i] = k.customerId();
            starts[i] = Timestamp.from(k.periodStart());
            i++;
        }
        Map<RatingStore.MeterPeriod, Map<String, MeterSums>> sums = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select a.tenant_id, a.customer_id, a.period_start, a.meter_key, a.dimensions, a.quantity, a.event_count, a.segments::text
                from usage_aggregate a
                join (select distinct * from unnest(?::text[], ?::text[], ?::timestamptz[])) as k(t, cu, ps)
                  on a.tenant_id = k.t and a.customer_id = k.cu and a.period_start = k.ps""")) {
            ps.setArray(1, c.createArrayOf("text", tenants));
            ps.setArray(2, c.createArrayOf("text", customers));
            ps.setArray(3, c.createArrayOf("timestamptz", starts));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MeterSums.add(sums.computeIfAbsent(new RatingStore.MeterPeriod(rs.getString(1), rs.getString(2), null, rs.getTimestamp(3).toInstant()),
                            x -> new HashMap<>()), rs.getString(4), rs.getString(5), rs.getBigDecimal(6), rs.getLong(7), 0, rs.getString(8));
                }
            }
        }
        Map<RatingStore.MeterPeriod, Map<String, PlanCharges.MeterUsage>> out = new HashMap<>();
        sums.forEach((k, byMeter) -> out.put(k, MeterSums.usage(byMeter)));
        return out;
    }

    /** The customer's aggregates for the period starting at {@code periodStart}, per meter: the total and each group. */
    public Map<String, PlanCharges.MeterUsage> period(String tenantId, String customerId,
            Instant periodStart) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return period(c, tenantId, customerId, periodStart);
        }
    }

    /** A stored observation of a non-additive meter, with the billing period and group it counts in. */
    public record ObservationRow(Instant periodStart, Instant periodEnd, String dimensions,
            Observation observation) {
    }

    /** More observations than one usage request may fold (they are held in memory). */
    public static final class TooManyObservations extends Exception {
        public TooManyObservations(String message) {
            super(message);
        }
    }

    /**
     * The observations of a non-additive meter that a usage request over [from, to) needs: those in the range,
     * and for a time-weighted sum every one of the billing periods overlapping it (a level holds until the next
     * sample). At most {@code limit}.
     */
    public List<ObservationRow> observations(String tenantId, String customerId, String meterKey, Instant from, Instant to,
            boolean wholePeriods, int limit) throws SQLException, TooManyObservations {
        List<ObservationRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select a.period_start, a.period_end, o.dimensions, o.event_id, o.observed_at, o.observed_nano, o.value, o.key
                     from usage_aggregate a
                     join usage_observation o using (tenant_id, customer_id, meter_key, period_start, dimensions)
                     where a.tenant_id = ? and a.customer_id = ? and a.meter_key = ? and a.period_end > ? and a.period_start < ?
                       and (? or (o.observed_at >= ? and o.observed_at < ?))
                     limit ?""")) {
            c.setAutoCommit(false); // lets the driver stream with the fetch size
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            ps.setString(3, meterKey);
            ps.setTimestamp(4, Timestamp.from(from));
            ps.setTimestamp(5, Timestamp.from(to));
            ps.setBoolean(6, wholePeriods);
            ps.setTimestamp(7, Timestamp.from(from));
            ps.setTimestamp(8, Timestamp.from(to));
            ps.setInt(9, limit + 1);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out.size() == limit) {
                        throw new TooManyObservations("meter '" + meterKey + "' has more than " + limit
                                + " observations in this range; ask for fewer days");
                    }
                    out.add(new ObservationRow(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(), rs.getString(3),
                            NonAdditive.observation(rs, 4)));
                }
            }
            c.commit();
        }
        return out;
    }

    /** Daily usage of the customer for days in [from, to), optionally of one meter. */
    public List<DayRow> days(String tenantId, String customerId, LocalDate from, LocalDate to, String meterKey) throws SQLException {
        List<DayRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select meter_key, day, dimensions, quantity, event_count, sample_event_ids from usage_daily
                     where tenant_id = ? and customer_id = ? and day >= ? and day < ? and (?::text is null or meter_key = ?)
                     order by meter_key, day, dimensions""")) {
            ps.setString(1, tenantId);
            ps.setString(2, customerId);
            ps.setObject(3, from);
            ps.setObject(4, to);
            ps.setString(5, meterKey);
            ps.setString(6, meterKey);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DayRow(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getString(3), rs.getBigDecimal(4), rs.getLong(5),
                            List.of((String[]) rs.getArray(6).getArray())));
                }
            }
        }
        return out;
    }

    /** A tenant's usage of one meter on one day, summed over its customers: quantity (for COUNT and SUM), events, customers. */
    public record TenantDay(String meterKey, LocalDate day, BigDecimal quantity, long eventCount, long customers) {
    }

    /** A customer's usage of one meter over a range. */
    public record CustomerTotal(String meterKey, String customerId, BigDecimal quantity, long eventCount) {
    }

    /** The tenant's daily usage in [from, to), per meter and day, over every customer and group (one meter, or all). */
    public List<TenantDay> tenantDays(String tenantId, LocalDate from, LocalDate to, String meterKey) throws SQLException {
        List<TenantDay> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select meter_key, day, sum(quantity), sum(event_count), count(distinct customer_id) from usage_daily
                     where tenant_id = ? and day >= ? and day < ? and (?::text is null or meter_key = ?)
                     group by meter_key, day order by meter_key, day""")) {
            ps.setString(1, tenantId);
            ps.setObject(2, from);
            ps.setObject(3, to);
            ps.setString(4, meterKey);
            ps.setString(5, meterKey);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TenantDay(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getBigDecimal(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        return out;
    }

    /**
     * The {@code limit} customers with the most usage of each meter in [from, to) (by quantity, or by events for
     * {@code byEvents} meters), most first, ties by customer id.
     */
    public List<CustomerTotal> topCustomers(String tenantId, LocalDate from, LocalDate to, String meterKey, Set<String> byEvents, int limit)
            throws SQLException {
        List<CustomerTotal> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select meter_key, customer_id, quantity, event_count from (
                       select meter_key, customer_id, sum(quantity) as quantity, sum(event_count) as event_count,
                              row_number() over (partition by meter_key order by
                                case when meter_key = any(?) then sum(event_count) else sum(quantity) end desc, customer_id) as rank
                       from usage_daily
                       where tenant_id = ? and day >= ? and day < ? and (?::text is null or meter_key = ?)
                       group by meter_key, customer_id) ranked
                     where rank <= ? order by meter_key, rank""")) {
            ps.setArray(1, c.createArrayOf("text", byEvents.toArray()));
            ps.setString(2, tenantId);
            ps.setObject(3, from);
            ps.setObject(4, to);
            ps.setString(5, meterKey);
            ps.setString(6, meterKey);
            ps.setInt(7, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CustomerTotal(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }
}
