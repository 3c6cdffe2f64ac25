package dev.tally.rating;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;

/**
 * {@code tally_rating_watermark_age_seconds}: how far rating's watermark ("every event accepted before T is rated", the
 * least over the partitions) trails now — the freshness the console's overview shows, and what holds back period
 * closes. Read from {@code partition_watermark} at most every 5 s, on scrape; NaN before rating has marked a partition.
 */
@ApplicationScoped
public class RatingMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    DataSource dataSource;

    private volatile long readAt;
    private volatile double age = Double.NaN;

    void register(@Observes StartupEvent e) {
        Gauge.builder("tally.rating.watermark.age.seconds", this, RatingMetrics::age)
                .description("now minus rating's watermark (the least accepted-before over the partitions)").register(registry);
    }

    private synchronized double age() {
        long now = System.nanoTime();
        if (now - readAt > 5_000_000_000L) {
            readAt = now;
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "select extract(epoch from now() - min(accepted_before)) from partition_watermark")) {
                try (ResultSet rs = ps.executeQuery()) {
                    age = rs.next() && rs.getBigDecimal(1) != null ? rs.getBigDecimal(1).longValue() : Double.NaN;
                }
            } catch (Exception ex) {
                age = Double.NaN;
            }
        }
        return age;
    }
}
