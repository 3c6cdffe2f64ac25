package dev.tally.rating.store;

import io.quarkus.scheduler.Scheduled;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
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
        BigDecimal total;
        try (Connection c = dataSource.getConnection()) {
            total = UsageQueries.periodTotal(c, key);
        }
        Entry loaded = new Entry(total, now);
        entries.merge(key, loaded, (old, fresh) -> old.at() > fresh.at() ? old : fresh); // a poll's newer total wins
        return total;
    }

    /** Totals a committed poll produced. */
    public void update(Map<RatingStore.MeterPeriod, BigDecimal> totals) {
        long now = System.nanoTime();
        totals.forEach((k, v) -> entries.put(k, new Entry(v, now)));
    }

    /** Entries nobody asked for in a while go: the map holds what entitlement checks use, not every meter ever rated. */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void evict() {
        long horizon = System.nanoTime() - Duration.ofMinutes(1).toNanos();
        entries.values().removeIf(e -> e.at() < horizon);
    }
}
