package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.kafka.InvoicingConsumers;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.PollLoop;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

/**
 * Keeps rating's watermarks ({@link Topics#WATERMARKS}) in {@code rating_watermark}, never moving one back.
 * Idempotent, so Kafka's own offsets (committed after the Postgres commit) are enough.
 */
@ApplicationScoped
public class WatermarkConsumer implements ConsumerWorker {
    private static final Logger LOG = Logger.getLogger(WatermarkConsumer.class);
    @Inject
    InvoicingConsumers consumers;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    private PollLoop loop;

    @PostConstruct
    void init() {
        loop = consumers.loop("invoicing-watermarks", Topics.WATERMARKS, "tally-invoicing-watermarks", this::apply);
    }

    @Override
    public boolean enabled() {
        return consumers.enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    private void apply(ConsumerRecords<String, String> polled) throws Exception {
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("""
                     insert into rating_watermark as w (kafka_partition, accepted_before) values (?, ?)
                     on conflict (kafka_partition) do update set accepted_before = excluded.accepted_before, updated_at = now()
                       where w.accepted_before < excluded.accepted_before""")) {
            for (ConsumerRecord<String, String> r : polled) {
                WatermarkV1 w;
                try {
                    w = json.readValue(r.value(), WatermarkV1.class);
                    if (w.acceptedBefore() == null || w.partition() < 0) {
                        throw new IllegalArgumentException("a watermark needs a partition and acceptedBefore");
                    }
                } catch (Exception e) {
                    // a watermark only ever advances: skipping an unreadable one delays closing, loses nothing
                    LOG.warnf("unreadable watermark %s-%d@%d skipped: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                    continue;
                }
                ps.setInt(1, w.partition());
                ps.setTimestamp(2, Timestamp.from(w.acceptedBefore()));
                ps.executeUpdate();
            }
        }
    }
}
