package dev.tally.invoicing.catalog;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The catalog records one request wrote (the last outbox row holding them), so that its answer can wait until they are
 * published ({@link dev.tally.invoicing.catalog.api.PublishedBeforeAnswer}) and the services' catalog views can read them.
 */
@RequestScoped
public class CatalogWrites {
    private static final Logger LOG = Logger.getLogger(CatalogWrites.class);

    @Inject
    DataSource dataSource;

    private long lastOutboxId;

    void wrote(long outboxId) {
        lastOutboxId = Math.max(lastOutboxId, outboxId);
    }

    /** Whether this request wrote catalog records. */
    public boolean any() {
        return lastOutboxId > 0;
    }

    /**
     * Waits until the relay has published this request's last catalog row (it publishes in id order), at most
     * {@code bound}; whether it was published.
     */
    public boolean awaitPublished(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select published_at is not null from outbox where id = ?")) {
            ps.setLong(1, lastOutboxId);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getBoolean(1)) {
                        return true; // published (or relayed and cleaned up already)
                    }
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(5);
            }
        } catch (SQLException e) {
            LOG.warnf("could not see whether catalog row %d is published: %s", lastOutboxId, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
