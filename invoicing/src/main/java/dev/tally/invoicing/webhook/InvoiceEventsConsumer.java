package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.kafka.InvoicingConsumers;
import dev.tally.invoicing.webhook.WebhookFeed.Event;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.PollLoop;
import dev.tally.platform.kafka.RecordHeaders;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns the money events on {@link Topics#INVOICES} (invoices finalized, paid or voided; credit notes issued;
 * refunds settled) into signed, retried webhook deliveries for the endpoints that subscribed to their type.
 * Each event's webhook id is stable ({@code <invoice id>:finalized}, {@code <refund id>:succeeded}, …), and
 * enqueueing is idempotent per (endpoint, id), so re-reading a record after a crash adds nothing.
 */
@ApplicationScoped
public class InvoiceEventsConsumer implements ConsumerWorker {
    @Inject
    InvoicingConsumers consumers;
    @Inject
    WebhookFeed feed;
    @Inject
    ObjectMapper json;

    private PollLoop loop;

    @PostConstruct
    void init() {
        loop = consumers.loop("invoicing-invoice-events", Topics.INVOICES, "tally-invoicing-invoice-webhooks",
                polled -> feed.enqueue(polled, this::event));
    }

    @Override
    public boolean enabled() {
        return consumers.enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    /**
     * The record read as its own message type; the webhook's {@code data} is the message exactly as published (the raw
     * JSON), so an endpoint receives what the topic carries.
     */
    private Event event(ConsumerRecord<String, String> r) throws Exception {
        String schema = RecordHeaders.string(r, Headers.SCHEMA);
        if (InvoiceIssuedV1.SCHEMA.equals(schema)) {
            InvoiceIssuedV1 m = json.readValue(r.value(), InvoiceIssuedV1.class);
            return event(r, m.tenantId(), m.invoiceId() + ":finalized", Webhooks.INVOICE_FINALIZED, m.issuedAt());
        } else if (InvoiceStatusV1.SCHEMA.equals(schema)) {
            InvoiceStatusV1 m = json.readValue(r.value(), InvoiceStatusV1.class);
            return event(r, m.tenantId(), m.invoiceId() + ":" + m.status(), "invoice." + (InvoiceStatus.VOID.is(m.status()) ? "voided" : m.status()),
                    m.at());
        } else if (CreditNoteIssuedV1.SCHEMA.equals(schema)) {
            CreditNoteIssuedV1 m = json.readValue(r.value(), CreditNoteIssuedV1.class);
            return event(r, m.tenantId(), m.creditNoteId(), Webhooks.CREDIT_NOTE_ISSUED, m.at());
        } else if (RefundStatusV1.SCHEMA.equals(schema)) {
            RefundStatusV1 m = json.readValue(r.value(), RefundStatusV1.class);
            return event(r, m.tenantId(), m.refundId() + ":" + m.status(), "refund." + m.status(), m.at());
        }
        return null;
    }

    private Event event(ConsumerRecord<String, String> r, String tenantId, String id, String type, Instant at) throws Exception {
        JsonNode data = json.readTree(r.value());
        return new Event(tenantId, id, type, at == null ? null : at.toString(), data);
    }
}
