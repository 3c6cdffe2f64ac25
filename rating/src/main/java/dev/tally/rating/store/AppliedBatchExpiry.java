package dev.tally.rating.store;

import dev.tally.rating.config.RatingConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Deletes {@code applied_batch} rows older than {@code tally.rating.applied-batch-retention} (default
 * 14 days), 10,000 per short transaction. A row is only needed while ingest's relay might still
 * re-publish its outbox row: after a relay crash, that happens when ingest restarts, so the retention
 * must outlast the longest an ingest may stay down after a crash (docs/operations.md).
 */
@ApplicationScoped
public class AppliedBatchExpiry {
    private static final Logger LOG = Logger.getLogger(AppliedBatchExpiry.class);
    static final int BATCH = 10_000;

    @Inject
    DataSource dataSource;
    @Inject
    RatingConfig config;

    @Scheduled(every = "${tally.rating.applied-batch-expiry-every:10m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            expire();
        } catch (Exception e) {
            LOG.warnf("applied_batch expiry failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Deletes expired rows in batches; returns how many. */
    public long expire() throws Exception {
        long total = 0;
        while (true) {
            int n;
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("""
                         delete from applied_batch where ctid = any(array(
                           select ctid from applied_batch where applied_at < now() - ?::interval limit ?))""")) {
                ps.setString(1, config.rating().appliedBatchRetention().toSeconds() + " seconds");
                ps.setInt(2, BATCH);
                n = ps.executeUpdate();
            }
            total += n;
            if (n < BATCH) {
                return total;
            }
        }
    }
}
