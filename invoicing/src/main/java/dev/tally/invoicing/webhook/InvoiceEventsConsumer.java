package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.RecordHeaders;
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

/**
 * Turns the money events on {@link Topics#INVOICES} (invoices finalized, paid or voided; credit notes issued;
 * refunds settled) into signed, retried webhook deliveries for the endpoints that subscribed to their type.
 * Each event's webhook id is stable ({@code <invoice id>:finalized}, {@code <refund id>:succeeded}, …), and
 * enqueueing is idempotent per (endpoint, id), so re-reading a record after a crash adds nothing.
 */
@ApplicationScoped
public class InvoiceEventsConsumer extends dev.tally.invoicing.kafka.InvoicingConsumer {
    @Inject
    Webhooks webhooks;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    @Override
    protected String name() {
        return "invoicing-invoice-events";
    }

    @Override
    protected String topic() {
        return Topics.INVOICES;
    }

    @Override
    protected String group() {
        return "tally-invoicing-invoice-webhooks";
    }

    @Override
    protected void process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> polled) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                for (ConsumerRecord<String, String> r : polled) {
                    JsonNode data;
                    try {
                        data = json.readTree(r.value());
                    } catch (Exception e) {
                        dev.tally.platform.kafka.RejectedRecords.insert(db, List.of(
                                new dev.tally.platform.kafka.RejectedRecords.Rejected(r, e.getClass().getSimpleName() + ": " + e.getMessage())));
                        continue;
                    }
                    String schema = RecordHeaders.string(r, Headers.SCHEMA);
                    String type;
                    String id;
                    if (InvoiceIssuedV1.SCHEMA.equals(schema)) {
                        type = Webhooks.INVOICE_FINALIZED;
                        id = data.path("invoiceId").asText() + ":finalized";
                    } else if (InvoiceStatusV1.SCHEMA.equals(schema)) {
                        type = "invoice." + ("void".equals(data.path("status").asText()) ? "voided" : data.path("status").asText());
                        id = data.path("invoiceId").asText() + ":" + data.path("status").asText();
                    } else if (CreditNoteIssuedV1.SCHEMA.equals(schema)) {
                        type = Webhooks.CREDIT_NOTE_ISSUED;
                        id = data.path("creditNoteId").asText();
                    } else if (RefundStatusV1.SCHEMA.equals(schema)) {
                        type = "refund." + data.path("status").asText();
                        id = data.path("refundId").asText() + ":" + data.path("status").asText();
                    } else {
                        continue;
                    }
                    String tenant = data.path("tenantId").asText(null);
                    if (tenant == null || !Webhooks.EVENT_TYPES.contains(type)) {
                        continue;
                    }
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", id);
                    event.put("type", type);
                    event.put("createdAt", data.path("at").isMissingNode() ? data.path("issuedAt").asText(null) : data.path("at").asText());
                    event.put("data", data);
                    webhooks.enqueue(db, tenant, id, type, json.writeValueAsString(event));
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
