package dev.tally.ingest.store;

import dev.tally.ingest.config.IngestConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Deletes dedup keys no retry can need any more: accepted before now − dedup window − future skew
 * (see V4__event_key_expiry.sql for why that is safe). Small batches, each its own short
 * transaction, so the hot insert path never waits behind a long delete; autovacuum reuses the space.
 * At very high volume, daily partitions dropped whole would be cheaper still (docs/operations.md).
 */
@ApplicationScoped
public class KeyExpiry {
    private static final Logger LOG = Logger.getLogger(KeyExpiry.class);
    static final int BATCH = 10_000;

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    IngestConfig config;

    @Scheduled(every = "${tally.ingest.key-expiry-every:10m}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            long n = expire(clock.instant());
            if (n > 0) {
                LOG.infof("expired %d dedup keys", n);
            }
        } catch (SQLException e) {
            LOG.warnf("dedup key expiry failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Deletes every expired key, {@value #BATCH} per transaction; returns how many. */
    public long expire(Instant now) throws SQLException {
        Instant horizon = now.minus(config.dedupWindow()).minus(config.maxFutureSkew());
        long total = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     delete from event_key where ctid in (
                       select ctid from event_key where accepted_at < ? limit ?)""")) {
            c.setAutoCommit(true);
            while (true) {
                ps.setTimestamp(1, Timestamp.from(horizon));
                ps.setInt(2, BATCH);
                int n = ps.executeUpdate();
                total += n;
                if (n < BATCH) {
                    return total;
                }
            }
        }
    }
}
