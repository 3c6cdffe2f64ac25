package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns {@link AlertV1}s from {@link Topics#ALERTS} into webhook deliveries, one per interested
 * endpoint. Enqueueing is idempotent per (endpoint, alert id), so Kafka's own offsets, committed after
 * the Postgres commit, are enough: a crash in between re-reads alerts that add nothing.
 */
@ApplicationScoped
public class AlertsConsumer extends dev.tally.invoicing.kafka.InvoicingConsumer {
    @Inject
    Webhooks webhooks;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    @Override
    protected String name() {
        return "invoicing-alerts";
    }

    @Override
    protected String topic() {
        return Topics.ALERTS;
    }

    @Override
    protected String group() {
        return "tally-invoicing-alerts";
    }

    @Override
    protected void process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> polled) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                for (ConsumerRecord<String, String> r : polled) {
                    AlertV1 a;
                    try {
                        a = json.readValue(r.value(), AlertV1.class);
                        if (a.tenantId() == null || a.alertId() == null) {
                            throw new IllegalArgumentException("an alert needs tenantId and alertId");
                        }
                    } catch (Exception e) {
                        dev.tally.platform.kafka.RejectedRecords.insert(db, List.of(
                                new dev.tally.platform.kafka.RejectedRecords.Rejected(r, e.getClass().getSimpleName() + ": " + e.getMessage())));
                        continue;
                    }
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", a.alertId());
                    event.put("type", Webhooks.ALERT_CROSSED);
                    event.put("createdAt", a.crossedAt());
                    event.put("data", a);
                    webhooks.enqueue(db, a.tenantId(), a.alertId(), Webhooks.ALERT_CROSSED, json.writeValueAsString(event));
                }
                db.commit();
            } catch (Exception e) {
                db.rollback();
                throw e;
            }
        }
        c.commitSync();
    }
}
