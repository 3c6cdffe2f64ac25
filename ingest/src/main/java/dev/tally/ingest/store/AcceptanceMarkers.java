package dev.tally.ingest.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.config.IngestConfig;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.PartitionKeys;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
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
    private static final int PARTITIONS = Topics.ALL.stream().filter(s -> s.name().equals(Topics.EVENTS_ACCEPTED)).findFirst()
            .orElseThrow().partitions();
    private static final String[] KEYS = PartitionKeys.covering("marker/", PARTITIONS);

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    IngestConfig config;

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

    /** Writes one marker per partition in one transaction; returns its acceptedBefore. */
    public Instant mark() throws Exception {
        Instant now = clock.instant();
        Instant before = now.minus(config.watermarkLag());
        List<OutboxRecord> records = new ArrayList<>(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            records.add(new OutboxRecord(KEYS[p], json.writeValueAsString(new AcceptanceMarkerV1(before, now, p)), null));
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
