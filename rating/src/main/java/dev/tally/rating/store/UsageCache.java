package dev.tally.rating.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Period totals of meters for entitlement checks, in memory. An entry is set from Postgres on a miss
 * and replaced by each committed poll that changes it (this instance's partitions); entries older
 * than {@link #MAX_AGE} are read again, which bounds staleness when another rating instance owns the
 * customer's partition.
 */
@ApplicationScoped
public class UsageCache {
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    @Inject
    DataSource dataSource;

    private record Entry(BigDecimal total, long at) {
    }

    private final Map<RatingStore.MeterPeriod, Entry> entries = new ConcurrentHashMap<>();

    /** The meter's total in the period (over all groups). */
    public BigDecimal total(RatingStore.MeterPeriod key) throws Exception {
        Entry e = entries.get(key);
        long now = System.nanoTime();
        if (e != null && now - e.at() < MAX_AGE.toNanos()) {
            return e.total();
        }
        BigDecimal total = load(key);
        entries.put(key, new Entry(total, now));
        return total;
    }

    /** Totals a committed poll produced. */
    public void update(Map<RatingStore.MeterPeriod, BigDecimal> totals) {
        long now = System.nanoTime();
        totals.forEach((k, v) -> entries.put(k, new Entry(v, now)));
    }

    private BigDecimal load(RatingStore.MeterPeriod key) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
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
}
