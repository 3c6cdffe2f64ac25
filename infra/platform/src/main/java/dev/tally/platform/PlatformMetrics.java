package dev.tally.platform;

import dev.tally.platform.kafka.ConsumerWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The figures the console's overview shows for every service, as Prometheus gauges on {@code /q/metrics}:
 * {@code tally_outbox_backlog_rows} (outbox rows not yet relayed to Kafka), {@code tally_outbox_oldest_seconds} (how
 * long the oldest of them has waited) and {@code tally_consumer_lag_records{consumer}} (records each consumer is
 * behind the end of its partitions), and per partition {@code tally_consumer_partition_lag_records{consumer,topic,partition}}
 * (refreshed every 15 s from each consumer's last poll). The outbox figures are read from the database at most every
 * 5 s, on scrape.
 */
@ApplicationScoped
public class PlatformMetrics {
    private static final Logger LOG = Logger.getLogger(PlatformMetrics.class);
    private static final long CACHE_NANOS = 5_000_000_000L;

    @Inject
    MeterRegistry registry;
    @Inject
    DataSource dataSource;
    @Inject
    Instance<ConsumerWorker> consumers;

    private MultiGauge partitionLag;
    private volatile long readAt;
    private volatile double backlogRows = Double.NaN;
    private volatile double oldestSeconds = Double.NaN;

    void register(@Observes StartupEvent e) {
        Gauge.builder("tally.outbox.backlog.rows", this, m -> m.read()[0]).description("outbox rows not yet relayed to Kafka").register(registry);
        Gauge.builder("tally.outbox.oldest.seconds", this, m -> m.read()[1]).description("age of the oldest outbox row not yet relayed (0: none)")
                .register(registry);
        for (ConsumerWorker w : consumers) {
            Gauge.builder("tally.consumer.lag.records", w, ConsumerWorker::lag).tag("consumer", w.consumerName())
                    .description("records behind the end of the consumer's partitions at its last poll (-1: unknown)").register(registry);
        }
        partitionLag = MultiGauge.builder("tally.consumer.partition.lag.records")
                .description("records behind the end of one assigned partition at the consumer's last poll").register(registry);
        refreshPartitionLags();
    }

    /** One row per partition each consumer holds now; a partition moved to another instance disappears here. */
    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshPartitionLags() {
        if (partitionLag == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ConsumerWorker w : consumers) {
            w.partitionLags().forEach((tp, lag) -> rows.add(MultiGauge.Row.of(
                    Tags.of("consumer", w.consumerName(), "topic", tp.topic(), "partition", Integer.toString(tp.partition())), lag)));
        }
        partitionLag.register(rows, true);
    }

    private synchronized double[] read() {
        long now = System.nanoTime();
        if (now - readAt > CACHE_NANOS) {
            readAt = now;
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select (select count(*) from outbox where published_at is null),
                      coalesce(extract(epoch from now() - (select created_at from outbox where published_at is null order by id limit 1)), 0)""")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    backlogRows = rs.getLong(1);
                    oldestSeconds = rs.getBigDecimal(2).longValue();
                }
            } catch (Exception ex) {
                LOG.debugf("outbox gauges not read: %s", ex.toString());
                backlogRows = Double.NaN;
                oldestSeconds = Double.NaN;
            }
        }
        return new double[] {backlogRows, oldestSeconds};
    }
}
