package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.kafka.InvoicingConsumer;
import dev.tally.platform.kafka.RejectedRecords;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A topic whose records become webhook deliveries, one per interested endpoint: each poll in one Postgres
 * transaction (an unreadable record set aside in {@code rejected_record}, not retried forever), Kafka's offsets
 * committed after it. Enqueueing is idempotent per (endpoint, event id), so a crash in between re-reads records
 * that add nothing. Subclasses only say which record is which event.
 */
public abstract class WebhookFeed extends InvoicingConsumer {
    @Inject
    protected Webhooks webhooks;
    @Inject
    protected DataSource dataSource;
    @Inject
    protected ObjectMapper json;

    /** A webhook event: sent as {@code {"id","type","createdAt","data"}} to the tenant's endpoints that take {@code type}. */
    protected record Event(String tenantId, String id, String type, Object createdAt, Object data) {
    }

    /** The record's event; null when it is none (another schema); throws when it cannot be read (set aside). */
    protected abstract Event event(ConsumerRecord<String, String> record) throws Exception;

    @Override
    protected void process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> polled) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                for (ConsumerRecord<String, String> r : polled) {
                    Event e;
                    try {
                        e = event(r);
                    } catch (Exception unreadable) {
                        RejectedRecords.insert(db, List.of(new RejectedRecords.Rejected(r, unreadable.getClass().getSimpleName() + ": "
                                + unreadable.getMessage())));
                        continue;
                    }
                    if (e == null || e.tenantId() == null || !Webhooks.EVENT_TYPES.contains(e.type())) {
                        continue;
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("id", e.id());
                    body.put("type", e.type());
                    body.put("createdAt", e.createdAt());
                    body.put("data", e.data());
                    webhooks.enqueue(db, e.tenantId(), e.id(), e.type(), json.writeValueAsString(body));
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
