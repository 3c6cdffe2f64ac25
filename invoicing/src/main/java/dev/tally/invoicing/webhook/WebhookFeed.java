package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.platform.kafka.RejectedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Turns a poll of a topic whose records become webhook deliveries into those deliveries, one per interested endpoint:
 * the whole poll in one Postgres transaction (an unreadable record set aside in {@code rejected_record}, not retried
 * forever), Kafka's offsets committed after it by the feed's loop. Enqueueing is idempotent per (endpoint, event id),
 * so a crash in between re-reads records that add nothing. The feeds ({@link AlertsConsumer},
 * {@link InvoiceEventsConsumer}) only say which record is which event.
 */
@ApplicationScoped
public class WebhookFeed {
    @Inject
    Webhooks webhooks;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    /** A webhook event: sent as {@code {"id","type","createdAt","data"}} to the tenant's endpoints that take {@code type}. */
    public record Event(String tenantId, String id, String type, Object createdAt, Object data) {
    }

    /** Reads a record's event: null when it is none (another schema); throws when it cannot be read (set aside). */
    @FunctionalInterface
    public interface Events {
        Event of(ConsumerRecord<String, String> record) throws Exception;
    }

    /** Enqueues the deliveries of the poll's events, in one transaction. */
    public void enqueue(ConsumerRecords<String, String> polled, Events events) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                for (ConsumerRecord<String, String> r : polled) {
                    Event e;
                    try {
                        e = events.of(r);
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
    }
}
