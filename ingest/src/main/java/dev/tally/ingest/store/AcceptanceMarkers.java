package dev.tally.ingest.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.config.IngestConfig;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PartitionKeys;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.jboss.logging.Logger;

/**
 * Writes an {@link AcceptanceMarkerV1} to every partition of {@code tally.events.accepted} through the
 * outbox, every {@code tally.ingest.watermark-every}: the progress rating turns into watermarks.
 * {@code acceptedBefore} = now − {@code tally.ingest.watermark-lag}, which must exceed the longest an
 * accept transaction can run (the transaction timeout, 60 s by default) plus the clock skew between
 * ingest instances.
 */
@ApplicationScoped
public class AcceptanceMarkers {
    private static final Logger LOG = Logger.getLogger(AcceptanceMarkers.class);
    /** The partitions the topic is created with; until Kafka has answered, markers cover these. */
    private static final int DECLARED = Topics.ALL.stream().filter(s -> s.name().equals(Topics.EVENTS_ACCEPTED)).findFirst().orElseThrow()
            .partitions();
    /** How often the topic's partition count is read again: partitions added while running get markers within this. */
    private static final Duration RECOUNT = Duration.ofSeconds(15);

    private volatile String[] keys = PartitionKeys.covering("marker/", DECLARED);
    private long countedAt = Long.MIN_VALUE;

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    IngestConfig config;
    @Inject
    KafkaClients kafka;

    @Inject
    Clock clock;

    @Scheduled(every = "${tally.ingest.watermark-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            mark();
        } catch (Exception e) {
            LOG.warnf("acceptance marker not written (watermarks pause until the next one): %s", e.getMessage());
        }
    }

    /**
     * One key per partition of the topic as Kafka has it now (read every {@link #RECOUNT}): after partitions are added,
     * each new one gets its markers, so rating's watermarks — and the closes waiting on them — go on. A key lands on its
     * partition by the producer's view of the count; a producer still seeing fewer partitions sends it to another one,
     * where it is one more marker (rating takes the partition a marker arrived on), until its view is refreshed
     * ({@code tally.kafka.metadata-max-age-ms}).
     */
    synchronized String[] keys() {
        long now = System.nanoTime();
        if (now - countedAt > RECOUNT.toNanos() || countedAt == Long.MIN_VALUE) {
            countedAt = now;
            try (KafkaConsumer<String, String> probe = kafka.consumer(null, "ingest-partition-count")) {
                List<PartitionInfo> infos = probe.partitionsFor(Topics.EVENTS_ACCEPTED, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty() && infos.size() != keys.length) {
                    LOG.infof("%s has %d partitions: acceptance markers cover each", Topics.EVENTS_ACCEPTED, infos.size());
                    keys = PartitionKeys.covering("marker/", infos.size());
                }
            } catch (RuntimeException e) {
                LOG.debugf("partition count of %s not read (markers cover %d): %s", Topics.EVENTS_ACCEPTED, keys.length, e.getMessage());
            }
        }
        return keys;
    }

    /** Writes one marker per partition in one transaction; returns its acceptedBefore. */
    public Instant mark() throws Exception {
        Instant now = clock.instant();
        Instant before = now.minus(config.watermarkLag());
        String[] k = keys();
        List<OutboxRecord> records = new ArrayList<>(k.length);
        for (int p = 0; p < k.length; p++) {
            records.add(new OutboxRecord(k[p], json.writeValueAsString(new AcceptanceMarkerV1(before, now, p)), null));
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outbox.append(c, Topics.EVENTS_ACCEPTED, AcceptanceMarkerV1.SCHEMA, records);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        return before;
    }
}
