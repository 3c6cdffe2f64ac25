package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.RecordHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns the money events on {@link Topics#INVOICES} (invoices finalized, paid or voided; credit notes issued;
 * refunds settled) into signed, retried webhook deliveries for the endpoints that subscribed to their type.
 * Each event's webhook id is stable ({@code <invoice id>:finalized}, {@code <refund id>:succeeded}, …), and
 * enqueueing is idempotent per (endpoint, id), so re-reading a record after a crash adds nothing.
 */
@ApplicationScoped
public class InvoiceEventsConsumer extends WebhookFeed {
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
    protected Event event(ConsumerRecord<String, String> r) throws Exception {
        JsonNode data = json.readTree(r.value());
        String schema = RecordHeaders.string(r, Headers.SCHEMA);
        String status = data.path("status").asText();
        String type;
        String id;
        if (InvoiceIssuedV1.SCHEMA.equals(schema)) {
            type = Webhooks.INVOICE_FINALIZED;
            id = data.path("invoiceId").asText() + ":finalized";
        } else if (InvoiceStatusV1.SCHEMA.equals(schema)) {
            type = "invoice." + ("void".equals(status) ? "voided" : status);
            id = data.path("invoiceId").asText() + ":" + status;
        } else if (CreditNoteIssuedV1.SCHEMA.equals(schema)) {
            type = Webhooks.CREDIT_NOTE_ISSUED;
            id = data.path("creditNoteId").asText();
        } else if (RefundStatusV1.SCHEMA.equals(schema)) {
            type = "refund." + status;
            id = data.path("refundId").asText() + ":" + status;
        } else {
            return null;
        }
        Object createdAt = data.path("at").isMissingNode() ? data.path("issuedAt").asText(null) : data.path("at").asText();
        return new Event(data.path("tenantId").asText(null), id, type, createdAt, data);
    }
}
