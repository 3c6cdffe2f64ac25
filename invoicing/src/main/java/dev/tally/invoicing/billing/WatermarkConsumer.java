package dev.tally.invoicing.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.kafka.InvoicingConsumer;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jboss.logging.Logger;

/**
 * Keeps rating's watermarks ({@link Topics#WATERMARKS}) in {@code rating_watermark}, never moving one back.
 * Idempotent, so Kafka's own offsets (committed after the Postgres commit) are enough.
 */
@ApplicationScoped
public class WatermarkConsumer extends InvoicingConsumer {
    private static final Logger LOG = Logger.getLogger(WatermarkConsumer.class);
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    @Override
    protected String name() {
        return "invoicing-watermarks";
    }

    @Override
    protected String topic() {
        return Topics.WATERMARKS;
    }

    @Override
    protected String group() {
        return "tally-invoicing-watermarks";
    }

    @Override
    protected void process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> polled) throws Exception {
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
        c.commitSync();
    }
}
