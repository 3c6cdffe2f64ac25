package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.kafka.InvoicingConsumers;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.PollLoop;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns {@link AlertV1}s from {@link Topics#ALERTS} into webhook deliveries, one per interested
 * endpoint. Enqueueing is idempotent per (endpoint, alert id), so Kafka's own offsets, committed after
 * the Postgres commit, are enough: a crash in between re-reads alerts that add nothing.
 */
@ApplicationScoped
public class AlertsConsumer implements ConsumerWorker {
    @Inject
    InvoicingConsumers consumers;
    @Inject
    WebhookFeed feed;
    @Inject
    ObjectMapper json;

    private PollLoop loop;

    @PostConstruct
    void init() {
        loop = consumers.loop("invoicing-alerts", Topics.ALERTS, "tally-invoicing-alerts", polled -> feed.enqueue(polled, this::event));
    }

    @Override
    public boolean enabled() {
        return consumers.enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    private WebhookFeed.Event event(ConsumerRecord<String, String> r) throws Exception {
        AlertV1 a = json.readValue(r.value(), AlertV1.class);
        if (a.tenantId() == null || a.alertId() == null) {
            throw new IllegalArgumentException("an alert needs tenantId and alertId");
        }
        return new WebhookFeed.Event(a.tenantId(), a.alertId(), Webhooks.ALERT_CROSSED, a.crossedAt(), a);
    }
}
