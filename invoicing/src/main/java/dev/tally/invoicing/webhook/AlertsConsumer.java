package dev.tally.invoicing.webhook;

import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns {@link AlertV1}s from {@link Topics#ALERTS} into webhook deliveries, one per interested
 * endpoint. Enqueueing is idempotent per (endpoint, alert id), so Kafka's own offsets, committed after
 * the Postgres commit, are enough: a crash in between re-reads alerts that add nothing.
 */
@ApplicationScoped
public class AlertsConsumer extends WebhookFeed {
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
    protected Event event(ConsumerRecord<String, String> r) throws Exception {
        AlertV1 a = json.readValue(r.value(), AlertV1.class);
        if (a.tenantId() == null || a.alertId() == null) {
            throw new IllegalArgumentException("an alert needs tenantId and alertId");
        }
        return new Event(a.tenantId(), a.alertId(), Webhooks.ALERT_CROSSED, a.crossedAt(), a);
    }
}
