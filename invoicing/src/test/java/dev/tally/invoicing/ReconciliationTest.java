package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation against real Kafka and Postgres: accepted events (with re-published copies, a retraction and an
 * amendment) recounted from a replay of tally.events.accepted equal the rated snapshots and the invoice to the
 * unit — zero drift — and a snapshot tampered with afterwards is reported as drift, with the events behind it,
 * and raises a webhook.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ReconciliationTest extends BillingTest {

    private void send(Producer<String, String> p, String tenant, String customer, String schema, Object value) throws Exception {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, tenant + "/" + customer, json.writeValueAsString(value));
        r.headers().add(Headers.SCHEMA, schema.getBytes(StandardCharsets.UTF_8));
        p.send(r).get();
    }

    @Test
    void aRecountFromTheAcceptedEventsMatchesRatingAndTheInvoiceAndCatchesATamperedSnapshot() throws Exception {
        Tenant t = tenant("Reconciled");
        String id = setUp(t, monthStart(-1), "r").get(0);
        Instant start = Instant.parse(monthStart(-1));
        Instant end = Instant.parse(monthStart(0));
        Random random = new Random(42);
        long bytes = 0;
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            for (int i = 0; i < 200; i++) {
                long b = 1 + random.nextInt(10_000);
                AcceptedEventV1 e = new AcceptedEventV1(t.id(), id, "r", "ev-" + i, "bandwidth", start.plusSeconds(60L * i),
                        Map.of("bytes", Long.toString(b)), Instant.now(), "customer", start, end);
                send(p, t.id(), id, AcceptedEventV1.SCHEMA, e);
                if (i % 10 == 0) {
                    send(p, t.id(), id, AcceptedEventV1.SCHEMA, e); // a relay re-published the row: counted once
                }
                if (i == 7) {
                    send(p, t.id(), id, EventCorrectionV1.SCHEMA, new EventCorrectionV1(t.id(), id, e.eventId(), EventCorrectionV1.RETRACT, 1, e,
                            null, "test", "key:x", Instant.now()));
                    continue;
                }
                if (i == 8) {
                    AcceptedEventV1 amended = new AcceptedEventV1(t.id(), id, "r", e.eventId(), "bandwidth", e.timestamp(),
                            Map.of("bytes", "5"), Instant.now(), "customer", start, end);
                    send(p, t.id(), id, EventCorrectionV1.SCHEMA, new EventCorrectionV1(t.id(), id, e.eventId(), EventCorrectionV1.AMEND, 1, e,
                            amended, "test", "key:x", Instant.now()));
                    b = 5;
                }
                bytes += b;
            }
        }
        // rating's snapshot of the same events (what rating publishes), and the period's invoice
        fixture().usage(t, id, 1, monthStart(-1), monthStart(0), Long.toString(bytes));
        assertThat(closer.closeTenant(t.id(), end, "watermark", Instant.now())).isEqualTo(1);
        post(t, "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/drift\",\"eventTypes\":[\"reconciliation.drift\"]}").statusCode(201);

        JsonPath clean = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\"}").statusCode(201).extract().jsonPath();
        assertThat(clean.getInt("drifted")).isZero();
        assertThat(clean.getInt("keysCompared")).isEqualTo(1);
        assertThat(clean.getLong("recordsRead")).isEqualTo(200 + 20 + 2);
        assertThat(clean.getLong("unreadableRecords")).isZero();

        // every event behind the invoice's line, in pages: the retracted one gone, the amended one with its new value
        String invoice = get(t, "/v1/invoices?customer=r").extract().path("invoices[0].invoiceId");
        JsonPath page1 = get(t, "/v1/invoices/" + invoice + "/events?meter=bandwidth&limit=150").statusCode(200).extract().jsonPath();
        assertThat(page1.getLong("events")).isEqualTo(199);
        assertThat(page1.getString("recountedQuantity")).isEqualTo(Long.toString(bytes));
        assertThat(page1.getList("page")).hasSize(150);
        assertThat(page1.getList("page.eventId")).doesNotContain("ev-7").contains("ev-8");
        JsonPath page2 = get(t, "/v1/invoices/" + invoice + "/events?meter=bandwidth&limit=150&after=" + page1.getString("next")).statusCode(200)
                .extract().jsonPath();
        assertThat(page2.getList("page")).hasSize(49);
        assertThat(page2.getString("next")).isNull();
        assertThat(page1.<String>getList("page.eventId")).doesNotContainAnyElementsOf(page2.getList("page.eventId"));
        List<Map<String, Object>> both = new ArrayList<>(page1.getList("page"));
        both.addAll(page2.getList("page"));
        assertThat(both.stream().filter(e -> "ev-8".equals(e.get("eventId"))).findFirst().orElseThrow().get("value")).isEqualTo("5");
        get(t, "/v1/invoices/" + invoice + "/events?meter=nope").statusCode(400).body("field", Matchers.equalTo("meter"));

        // a fault: the stored snapshot loses 1,000 bytes
        try (var c = dataSource.getConnection(); var ps = c.prepareStatement(
                "update usage_snapshot set quantity = quantity - 1000 where tenant_id = ? and customer_id = ?")) {
            ps.setString(1, t.id());
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        JsonPath drift = post(t, "/v1/reconciliations", "{}").statusCode(201).extract().jsonPath();
        assertThat(drift.getInt("drifted")).isEqualTo(1);
        assertThat(drift.getString("drift[0].meter")).isEqualTo("bandwidth");
        assertThat(drift.getString("drift[0].recounted")).isEqualTo(Long.toString(bytes));
        assertThat(drift.getString("drift[0].ratedDrift")).isEqualTo("-1000");
        assertThat(drift.getString("drift[0].invoicedDrift")).isEqualTo("0");
        assertThat(drift.getLong("drift[0].recountedEvents")).isEqualTo(199);
        assertThat(drift.getList("drift[0].eventIds")).hasSize(20).contains("ev-0").doesNotContain("ev-7");
        assertThat(fixture().count(
                "select count(*) from webhook_delivery where tenant_id = ? and event_type = 'reconciliation.drift'", t.id())).isEqualTo(1);
        get(t, "/v1/reconciliations").statusCode(200).body("reconciliations.size()", Matchers.equalTo(2));
        get(t, "/v1/reconciliations/" + drift.getString("reconciliationId")).statusCode(200);
        get(tenant("Other reconciled"), "/v1/reconciliations/" + drift.getString("reconciliationId")).statusCode(404);
    }

    /**
     * Late usage after a close: rating agrees with the events, the invoice is behind by exactly the late event. That is
     * a pending adjustment (the next close bills it), listed apart — not drift, and no alarm.
     */
    @Test
    void lateUsageAfterACloseIsAPendingAdjustmentNotDrift() throws Exception {
        Tenant t = tenant("Late reconciled");
        String id = setUp(t, monthStart(-1), "l").get(0);
        Instant start = Instant.parse(monthStart(-1));
        Instant end = Instant.parse(monthStart(0));
        post(t, "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/drift\",\"eventTypes\":[\"reconciliation.drift\"]}").statusCode(201);
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            for (int i = 0; i < 3; i++) {
                send(p, t.id(), id, AcceptedEventV1.SCHEMA, new AcceptedEventV1(t.id(), id, "l", "l-" + i, "bandwidth", start.plusSeconds(i),
                        Map.of("bytes", "1000"), Instant.now(), "customer", start, end));
            }
        }
        BillingFixture fixture = fixture();
        fixture.usage(t, id, 1, monthStart(-1), monthStart(0), "3000");
        assertThat(closer.closeTenant(t.id(), end, "watermark", Instant.now())).isEqualTo(1);
        // a late event, rated after the invoice
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            send(p, t.id(), id, AcceptedEventV1.SCHEMA, new AcceptedEventV1(t.id(), id, "l", "l-late", "bandwidth", start.plusSeconds(99),
                    Map.of("bytes", "500"), Instant.now(), "customer", start, end));
        }
        fixture.usage(t, id, 2, monthStart(-1), monthStart(0), "3500");
        JsonPath report = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\"}").statusCode(201).extract().jsonPath();
        assertThat(report.getInt("drifted")).isZero();
        assertThat(report.getInt("pendingAdjustments")).isEqualTo(1);
        assertThat(report.getString("pending[0].recounted")).isEqualTo("3500");
        assertThat(report.getString("pending[0].ratedDrift")).isEqualTo("0");
        assertThat(report.getString("pending[0].invoicedDrift")).isEqualTo("-500");
        assertThat(report.getLong("pending[0].recountedEvents")).isEqualTo(4);
        assertThat(report.getString("pending[0].kind")).isEqualTo("pending");
        assertThat(fixture.count("select count(*) from webhook_delivery where tenant_id = ? and event_type = 'reconciliation.drift'", t.id()))
                .isZero();
    }

    /**
     * A retraction after the close of a subscription's last period: rating agrees with the events, the invoice billed
     * one event too many, and the customer has no period left to close. While the usage is fresh that is a pending
     * adjustment; the closer credits it on a stand-alone adjustment invoice, after which the keys agree. A second
     * retraction that the closer never billed although it arrived long ago (here: its snapshot's arrival moved back two
     * hours, past the one-hour close grace) is drift ("stranded": a fault) — it raises the webhook, and the overcharge
     * rule credits it.
     */
    @Test
    void aDifferenceWithNoPeriodLeftIsBilledAloneAndOnlyAFaultLeavesItStranded() throws Exception {
        Tenant t = tenant("Stranded");
        setUp(t, monthStart(-1));
        String id = post(t, "/v1/customers", "{\"externalId\":\"s\",\"name\":\"S\",\"currency\":\"USD\"}").statusCode(201).extract()
                .path("customerId");
        post(t, "/v1/subscriptions", "{\"customer\":\"s\",\"plan\":\"pro\",\"start\":\"" + monthStart(-1) + "\",\"end\":\"" + monthStart(0)
                + "\"}").statusCode(201);
        Instant start = Instant.parse(monthStart(-1));
        Instant end = Instant.parse(monthStart(0));
        post(t, "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/drift\",\"eventTypes\":[\"reconciliation.drift\"]}").statusCode(201);
        List<AcceptedEventV1> sent = new ArrayList<>();
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            for (int i = 0; i < 3; i++) {
                sent.add(new AcceptedEventV1(t.id(), id, "s", "s-" + i, "bandwidth", start.plusSeconds(i), Map.of("bytes", "1000"), Instant.now(),
                        "customer", start, end));
                send(p, t.id(), id, AcceptedEventV1.SCHEMA, sent.get(i));
            }
        }
        BillingFixture fixture = fixture();
        fixture.usage(t, id, 1, monthStart(-1), monthStart(0), "3000");
        assertThat(closer.closeTenant(t.id(), end, "watermark", Instant.now())).isEqualTo(1);
        // after the close, one event is retracted: rated 2,000, billed 3,000, and the subscription has ended
        retract(t, id, sent.get(2));
        fixture.usage(t, id, 2, monthStart(-1), monthStart(0), "2000");
        JsonPath report = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\",\"creditOvercharges\":true}")
                .statusCode(201).extract().jsonPath();
        assertThat(report.getInt("drifted")).isZero();
        assertThat(report.getInt("pendingAdjustments")).isEqualTo(1);
        assertThat(report.getString("pending[0].invoicedDrift")).isEqualTo("1000");
        // the closer credits it on its own invoice (the customer has no period left), and then every key agrees
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isEqualTo(1);
        get(t, "/v1/invoices?customer=s&sort=number").statusCode(200).body("invoices.kind", Matchers.contains("usage", "adjustment"))
                .body("invoices[1].total", Matchers.equalTo("-1.00"));
        report = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\",\"creditOvercharges\":true}").statusCode(201)
                .extract().jsonPath();
        assertThat(report.getInt("drifted")).isZero();
        assertThat(report.getInt("pendingAdjustments")).isZero();
        // a second retraction that no adjustment invoice billed, though it arrived two hours ago: a fault
        retract(t, id, sent.get(1));
        fixture.usage(t, id, 3, monthStart(-1), monthStart(0), "1000");
        try (var c = dataSource.getConnection();
             var ps = c.prepareStatement("update usage_snapshot set received_at = now() - interval '2 hours' where tenant_id = ?")) {
            ps.setString(1, t.id());
            ps.executeUpdate();
        }
        report = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\",\"creditOvercharges\":true}")
                .statusCode(201).extract().jsonPath();
        assertThat(report.getInt("pendingAdjustments")).isZero();
        assertThat(report.getInt("drifted")).isEqualTo(1);
        assertThat(report.getString("drift[0].kind")).isEqualTo("stranded");
        assertThat(report.getString("drift[0].ratedDrift")).isEqualTo("0");
        assertThat(report.getString("drift[0].invoicedDrift")).isEqualTo("1000");
        assertThat(report.getList("creditNotes")).hasSize(1);
        get(t, "/v1/credit-notes/" + report.getString("creditNotes[0]")).statusCode(200).body("total", Matchers.equalTo("1.00"));
        assertThat(fixture.count("select count(*) from webhook_delivery where tenant_id = ? and event_type = 'reconciliation.drift'", t.id()))
                .isEqualTo(1);
    }

    private void retract(Tenant t, String customerId, AcceptedEventV1 e) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            send(p, t.id(), customerId, EventCorrectionV1.SCHEMA, new EventCorrectionV1(t.id(), customerId, e.eventId(), EventCorrectionV1.RETRACT, 1,
                    e, null, "test", "key:x", Instant.now()));
        }
    }

    /**
     * The rule "reconciliation found an overcharge": rating double-counted 1,000 bytes and the invoice billed them; a
     * reconciliation asked to credit overcharges creates a credit note for the line's difference (1.00), which waits
     * for finance (no threshold set).
     */
    @Test
    void anOverchargeFoundByReconciliationBecomesACreditNoteWaitingForFinance() throws Exception {
        Tenant t = tenant("Overcharged");
        String id = setUp(t, monthStart(-1), "o").get(0);
        Instant start = Instant.parse(monthStart(-1));
        Instant end = Instant.parse(monthStart(0));
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            for (int i = 0; i < 5; i++) {
                send(p, t.id(), id, AcceptedEventV1.SCHEMA, new AcceptedEventV1(t.id(), id, "o", "o-" + i, "bandwidth", start.plusSeconds(i),
                        Map.of("bytes", "2000"), Instant.now(), "customer", start, end));
            }
        }
        // rating's snapshot counts 11,000 bytes for events worth 10,000: the invoice bills 11.00
        fixture().usage(t, id, 1, monthStart(-1), monthStart(0), "11000");
        assertThat(closer.closeTenant(t.id(), end, "watermark", Instant.now())).isEqualTo(1);
        JsonPath report = post(t, "/v1/reconciliations", "{\"periodStart\":\"" + monthStart(-1) + "\",\"creditOvercharges\":true}")
                .statusCode(201).extract().jsonPath();
        assertThat(report.getInt("drifted")).isEqualTo(1);
        assertThat(report.getString("drift[0].ratedDrift")).isEqualTo("1000");
        assertThat(report.getString("drift[0].invoicedDrift")).isEqualTo("1000");
        assertThat(report.getList("creditNotes")).hasSize(1);
        get(t, "/v1/credit-notes/" + report.getString("creditNotes[0]")).statusCode(200).body("status", Matchers.equalTo("pending_approval"))
                .body("source", Matchers.equalTo("rule:reconciliation")).body("total", Matchers.equalTo("1.00"))
                .body("reason", Matchers.containsString(report.getString("reconciliationId")));
    }
}
