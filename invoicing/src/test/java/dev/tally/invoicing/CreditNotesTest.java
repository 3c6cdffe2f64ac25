package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static dev.tally.invoicing.BillingFixture.year;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.payment.ProviderJobKind;
import dev.tally.invoicing.payment.ProviderJobStatus;
import dev.tally.invoicing.payment.ProviderJobs;
import dev.tally.invoicing.payment.stripe.StripeSignature;
import dev.tally.invoicing.payment.stripe.StripeStub;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Credit notes, refunds and the payment provider against real Postgres and Kafka and a local Stripe stub: per line
 * and whole notes with one tax rounding, settlement against what is due, refunds and prepaid credit, automated
 * (SLA) notes waiting for finance above a threshold, and Stripe collecting, paying and refunding by signed webhooks.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StripeStubResource.class, restrictToAnnotatedClass = false)
class CreditNotesTest extends BillingTest {
    private static final String OPERATOR = BillingFixture.OPERATOR;

    @Inject
    ProviderJobs jobs;

    /** A finalized invoice for last month's usage of one customer; returns its id. */
    private String invoiced(Tenant t, String customer, String quantity) throws Exception {
        String id = setUp(t, monthStart(-1), customer).get(0);
        fixture().usage(t, id, 1, monthStart(-1), monthStart(0), quantity);
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(1);
        return get(t, "/v1/invoices?customer=" + customer).statusCode(200).extract().path("invoices[0].invoiceId");
    }

    /**
     * On an unpaid invoice with DE VAT 19 % exclusive: a note per line takes its tax once off what is due; a bad request
     * changes nothing; the invoice cannot be voided or paid in full any more; the full note takes the rest of the tax
     * exactly and settles the invoice.
     */
    @Test
    void notesPerLineAndWholeTakeTheirTaxOnceAndSettleWhatIsDue() throws Exception {
        Tenant t = tenant("Credited");
        post(t, "/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\",\"eventTypes\":[\"invoice.finalized\",\"credit_note.issued\","
                + "\"invoice.paid\"]}").statusCode(201);
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"name\":\"VAT\",\"ratePercent\":\"19\",\"inclusive\":false}").put("/v1/tax-rates/DE").then().statusCode(200);
        String id = setUp(t, monthStart(-1), "de").get(0);
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{\"taxRegion\":\"DE\"}")
                .patch("/v1/customers/de").then().statusCode(200);
        fixture().usage(t, id, 1, monthStart(-1), monthStart(0), "10000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(1);
        String invoice = get(t, "/v1/invoices?customer=de").extract().path("invoices[0].invoiceId");
        get(t, "/v1/invoices/" + invoice).body("total", equalTo("11.90")).body("balanceDue", equalTo("11.90"));

        // refused, each naming the field, and nothing written
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"10.01\"}],\"reason\":\"x\"}")
                .statusCode(422).body("field", equalTo("lines[0].amount")).body("detail", Matchers.containsString("10.00 USD left"));
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"lines\":[{\"line\":\"line:storage\",\"amount\":\"1\"}],\"reason\":\"x\"}")
                .statusCode(422).body("field", equalTo("lines[0].line"));
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"1\"}]}")
                .statusCode(400).body("field", equalTo("reason"));
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"reason\":\"x\",\"settleTo\":\"cash\"}").statusCode(400)
                .body("field", equalTo("settleTo"));
        post(t, "/v1/invoices/inv_nope/credit-notes", "{\"reason\":\"x\"}").statusCode(404);
        assertThat(fixture().count("select count(*) from credit_note where tenant_id = ?", t.id())).isZero();

        // 4.00 of the line: VAT 0.76, rounded once; off what is due
        JsonPath first = post(t, "/v1/invoices/" + invoice + "/credit-notes",
                "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"4.00\"}],\"reason\":\"outage on the 3rd\"}").statusCode(201).extract().jsonPath();
        String y = year(Instant.now());
        assertThat(first.getString("number")).isEqualTo("CREDITED-CN-" + y + "-000001");
        assertThat(first.getString("status")).isEqualTo("issued");
        assertThat(first.getString("tax")).isEqualTo("0.76");
        assertThat(first.getString("total")).isEqualTo("4.76");
        assertThat(first.getString("appliedToDue")).isEqualTo("4.76");
        assertThat(first.getString("refunded")).isEqualTo("0.00");
        get(t, "/v1/invoices/" + invoice).body("balanceDue", equalTo("7.14")).body("creditNotesTotal", equalTo("4.76"))
                .body("status", equalTo("finalized")).body("total", equalTo("11.90"));

        post(t, "/v1/invoices/" + invoice + "/payments", "{\"reference\":\"bank-1\",\"amount\":\"11.90\"}").statusCode(400)
                .body("detail", Matchers.containsString("7.14"));
        post(t, "/v1/invoices/" + invoice + "/void", "{\"reason\":\"redo\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/invoice-credited"));

        // the rest: 6.00 and exactly the VAT not credited yet (1.90 − 0.76 = 1.14); the invoice is settled by its notes
        JsonPath rest = post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"reason\":\"customer churned\"}").statusCode(201)
                .extract().jsonPath();
        assertThat(rest.getString("subtotal")).isEqualTo("6.00");
        assertThat(rest.getString("tax")).isEqualTo("1.14");
        assertThat(rest.getString("total")).isEqualTo("7.14");
        get(t, "/v1/invoices/" + invoice).body("status", equalTo("paid")).body("balanceDue", equalTo("0.00"))
                .body("paymentReference", equalTo("credit-notes:CREDITED-CN-" + y + "-000002")).body("creditNotesTotal", equalTo("11.90"));
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"reason\":\"again\"}").statusCode(422)
                .body("detail", Matchers.containsString("nothing is left"));

        get(t, "/v1/invoices/" + invoice + "/credit-notes").statusCode(200).body("creditNotes.size()", equalTo(2));
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'credit_note' and action = 'issue'",
                t.id())).isEqualTo(2);
        assertThat(fixture().count("select count(*) from outbox where schema_name = 'CreditNoteIssuedV1' and array_to_string(payloads, ',') like '%' || ? || '%'",
                t.id())).isEqualTo(2);
        // an issued note cannot change, even in SQL
        try (var c = dataSource.getConnection(); var ps = c.prepareStatement("update credit_note set total = 1 where tenant_id = ?")) {
            ps.setString(1, t.id());
            Assertions.assertThatThrownBy(ps::executeUpdate).hasMessageContaining("cannot change");
        }
        // the money events go out as signed, retried webhooks too, once each
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String deliveries = "select count(*) from webhook_delivery where tenant_id = ? and event_type = ";
        while (fixture().count(deliveries + "'credit_note.issued'", t.id()) < 2 || fixture().count(deliveries + "'invoice.paid'", t.id()) < 1
                || fixture().count(deliveries + "'invoice.finalized'", t.id()) < 1) {
            assertThat(System.nanoTime()).as("webhooks enqueued").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(fixture().count(deliveries + "'credit_note.issued'", t.id())).isEqualTo(2);
        Tenant other = tenant("Other notes");
        get(other, "/v1/credit-notes/" + first.getString("creditNoteId")).statusCode(404);
        post(other, "/v1/invoices/" + invoice + "/credit-notes", "{\"reason\":\"x\"}").statusCode(404);
    }

    /**
     * A paid invoice, 3.00 of it covered by prepaid credit: a whole note refunds what was paid (offline: pending until
     * recorded) and gives the 3.00 back as credit.
     */
    @Test
    void aNoteOnAPaidInvoiceRefundsWhatWasPaidAndCreditsWhatCreditCovered() throws Exception {
        Tenant t = tenant("Refunded");
        String id = setUp(t, monthStart(-1), "r").get(0);
        post(t, "/v1/customers/r/credits", "{\"amount\":\"3.00\",\"reason\":\"welcome\"}").statusCode(201);
        fixture().usage(t, id, 1, monthStart(-1), monthStart(0), "10000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(1);
        String invoice = get(t, "/v1/invoices?customer=r").extract().path("invoices[0].invoiceId");
        post(t, "/v1/invoices/" + invoice + "/payments", "{\"reference\":\"bank-7\",\"amount\":\"7.00\"}").statusCode(200);

        JsonPath note = post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"reason\":\"cancelled in the trial\"}").statusCode(201)
                .extract().jsonPath();
        assertThat(note.getString("total")).isEqualTo("10.00");
        assertThat(note.getString("appliedToDue")).isEqualTo("0.00");
        assertThat(note.getString("refunded")).isEqualTo("7.00");
        assertThat(note.getString("credited")).isEqualTo("3.00");
        String refund = note.getString("refundId");
        get(t, "/v1/refunds/" + refund).statusCode(200).body("status", equalTo("pending")).body("provider", equalTo("offline"))
                .body("amount", equalTo("7.00"));
        get(t, "/v1/customers/r/credits").statusCode(200).body("balance", equalTo("3.00"));

        // another tenant sees none of it: the refund, the list, recording it, the provider settings
        Tenant other = tenant("Other refunds");
        get(other, "/v1/refunds/" + refund).statusCode(404);
        get(other, "/v1/refunds?invoice=" + invoice).statusCode(200).body("refunds.size()", equalTo(0));
        post(other, "/v1/refunds/" + refund + "/record", "{\"reference\":\"stolen\"}").statusCode(404);
        get(other, "/v1/payment-provider").statusCode(200).body("provider", equalTo("offline"));
        post(other, "/v1/invoices/" + invoice + "/credit-notes/sla", "{\"percent\":\"5\",\"incident\":\"x\"}").statusCode(404);
        post(t, "/v1/refunds/" + refund + "/record", "{}").statusCode(400).body("field", equalTo("reference"));
        post(t, "/v1/refunds/" + refund + "/record", "{\"reference\":\"bank-back-7\"}").statusCode(200).body("status", equalTo("succeeded"))
                .body("providerRefundId", equalTo("bank-back-7"));
        post(t, "/v1/refunds/" + refund + "/record", "{\"reference\":\"bank-back-8\"}").statusCode(409);
        get(t, "/v1/refunds?invoice=" + invoice).statusCode(200).body("refunds.size()", equalTo(1));

        // usage of the credited period is retracted down to 4,000 bytes afterwards: the line was credited in full, so the
        // reduction gives nothing more back (it would otherwise credit 6.00 a second time)
        fixture().usage(t, id, 2, monthStart(-1), monthStart(0), "4000");
        fixture().usage(t, id, 1, monthStart(0), monthStart(1), "1000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(monthStart(1)).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(1);
        JsonPath next = get(t, "/v1/invoices?customer=r&limit=1").extract().jsonPath();
        assertThat(next.getString("invoices[0].adjustments[0].amount")).isEqualTo("0.00");
        assertThat(next.getString("invoices[0].adjustments[0].explanation[-1]")).contains("capped").contains("10.00");
        assertThat(next.getString("invoices[0].total")).isEqualTo("1.00");
    }

    /** SLA credits are notes a rule creates: up to the threshold they are issued at once, above it they wait for finance. */
    @Test
    void automatedNotesAboveTheThresholdWaitForAFinanceApproval() throws Exception {
        Tenant t = tenant("Sla");
        String invoice = invoiced(t, "s", "10000");
        var operator = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON);
        operator.body("{\"creditNoteApprovalThreshold\":\"1.00\"}").patch("/v1/admin/tenants/" + t.id()).then().statusCode(200)
                .body("creditNoteApprovalThreshold", equalTo("1"));

        post(t, "/v1/invoices/" + invoice + "/credit-notes/sla", "{\"percent\":\"5\",\"incident\":\"INC-1\"}").statusCode(201)
                .body("status", equalTo("issued")).body("total", equalTo("0.50")).body("source", equalTo("rule:sla"))
                .body("reason", equalTo("SLA credit 5 %: INC-1"));
        JsonPath pending = post(t, "/v1/invoices/" + invoice + "/credit-notes/sla", "{\"percent\":\"20\",\"incident\":\"INC-2\"}").statusCode(202)
                .extract().jsonPath();
        assertThat(pending.getString("status")).isEqualTo("pending_approval");
        assertThat(pending.getString("number")).isNull();
        get(t, "/v1/invoices/" + invoice).body("balanceDue", equalTo("9.50"));
        post(t, "/v1/invoices/" + invoice + "/credit-notes/sla", "{\"percent\":\"0\",\"incident\":\"x\"}").statusCode(422).body("field", equalTo("percent"));
        // a pending note reserves its amounts: 9.50 is left on the line but 2.00 of it is pending
        post(t, "/v1/invoices/" + invoice + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"7.51\"}],\"reason\":\"x\"}")
                .statusCode(422).body("detail", Matchers.containsString("7.50 USD left"));

        String path = "/v1/admin/tenants/" + t.id() + "/credit-notes";
        given().header("Authorization", "Bearer " + OPERATOR).get(path).then().statusCode(200).body("creditNotes.size()", equalTo(1));
        // only finance approves: not the tenant's key, not an operator
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{}")
                .post(path + "/" + pending.getString("creditNoteId") + "/approve").then().statusCode(401);
        given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{}")
                .post(path + "/" + pending.getString("creditNoteId") + "/approve").then().statusCode(403);
        String finance = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"email\":\"finance-%s@tally.example\",\"role\":\"finance\"}".formatted(System.nanoTime())).post("/v1/admin/users")
                .then().statusCode(201).extract().path("token");
        given().header("Authorization", "Bearer " + finance).contentType(ContentType.JSON).body("{\"note\":\"checked INC-2\"}")
                .post(path + "/" + pending.getString("creditNoteId") + "/approve").then().statusCode(200).body("status", equalTo("issued"))
                .body("number", equalTo("SLA-CN-" + year(Instant.now()) + "-000002")).body("decisionNote", equalTo("checked INC-2"))
                .body("decidedBy", Matchers.startsWith("user:"));
        get(t, "/v1/invoices/" + invoice).body("balanceDue", equalTo("7.50"));
        given().header("Authorization", "Bearer " + finance).contentType(ContentType.JSON).body("{\"note\":\"again\"}")
                .post(path + "/" + pending.getString("creditNoteId") + "/approve").then().statusCode(409);

        String third = post(t, "/v1/invoices/" + invoice + "/credit-notes/sla", "{\"percent\":\"30\",\"incident\":\"INC-3\"}").statusCode(202)
                .extract().path("creditNoteId");
        given().header("Authorization", "Bearer " + finance).contentType(ContentType.JSON).body("{}")
                .post(path + "/" + third + "/reject").then().statusCode(400).body("field", equalTo("note"));
        given().header("Authorization", "Bearer " + finance).contentType(ContentType.JSON).body("{\"note\":\"INC-3 was not ours\"}")
                .post(path + "/" + third + "/reject").then().statusCode(200).body("status", equalTo("rejected")).body("number", nullValue());
        get(t, "/v1/invoices/" + invoice).body("balanceDue", equalTo("7.50"));
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'credit_note'", t.id()))
                .as("issue, propose, issue (approved), propose, reject").isEqualTo(5);
    }

    /**
     * Stripe as the tenant's provider: a finalized invoice is pushed (customer, invoice, items, finalize) by a job that
     * survives a 500; Stripe's signed webhook pays it; a credit note refunds through Stripe once, whatever the retries.
     */
    @Test
    void stripeCollectsPaysBySignedWebhookAndRefundsOnce() throws Exception {
        StripeStub stripe = StripeStubResource.stub;
        Tenant t = tenant("Striped");
        String secret = "whsec_test_" + System.nanoTime();
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"provider\":\"stripe\",\"apiKey\":\"nope\",\"webhookSecret\":\"" + secret + "\"}").put("/v1/payment-provider").then()
                .statusCode(400).body("field", equalTo("apiKey"));
        String put = given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"provider\":\"stripe\",\"apiKey\":\"" + StripeStubResource.API_KEY + "\",\"webhookSecret\":\"" + secret + "\"}")
                .put("/v1/payment-provider").then().statusCode(200).body("provider", equalTo("stripe")).body("apiKeyHint", equalTo("…6789"))
                .extract().asString();
        assertThat(put).doesNotContain(StripeStubResource.API_KEY).doesNotContain(secret);

        int invoicesBefore = stripe.created("invoice");
        int customersBefore = stripe.created("customer");
        String invoice = invoiced(t, "st", "12345"); // 12.345 → USD 12.34 (HALF_EVEN)
        stripe.failNext(1, 500);
        jobs.runOnce();
        assertThat(jobs.state(t.id(), ProviderJobKind.PUSH_INVOICE, invoice).status()).isEqualTo(ProviderJobStatus.PENDING);
        assertThat(jobs.state(t.id(), ProviderJobKind.PUSH_INVOICE, invoice).lastError()).contains("500");
        jobs.dueNow(t.id());
        jobs.runOnce();
        assertThat(jobs.state(t.id(), ProviderJobKind.PUSH_INVOICE, invoice).status()).isEqualTo(ProviderJobStatus.DONE);
        assertThat(stripe.created("customer")).isEqualTo(customersBefore + 1);
        assertThat(stripe.created("invoice")).isEqualTo(invoicesBefore + 1);
        String stripeInvoice;
        try (var c = dataSource.getConnection(); var ps = c.prepareStatement(
                "select provider_id from provider_ref where tenant_id = ? and kind = 'invoice'")) {
            ps.setString(1, t.id());
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                stripeInvoice = rs.getString(1);
            }
        }
        JsonNode pushed = stripe.object(stripeInvoice);
        assertThat(pushed.path("status").asText()).isEqualTo("open");
        assertThat(pushed.path("amount_due").asLong()).isEqualTo(1234);
        assertThat(pushed.path("metadata").path("tally_invoice_id").asText()).isEqualTo(invoice);

        // Stripe collects and tells Tally by a signed webhook; a forged or replayed one changes nothing
        String intent = stripe.pay(stripeInvoice);
        String paidEvent = json.writeValueAsString(json.createObjectNode().put("id", "evt_paid_" + invoice).put("type", "invoice.paid")
                .set("data", json.createObjectNode().set("object", stripe.object(stripeInvoice))));
        String hook = "/v1/payment-webhooks/stripe/" + t.id();
        given().header("Stripe-Signature", StripeSignature.sign("whsec_wrong", paidEvent, Instant.now())).body(paidEvent).post(hook).then()
                .statusCode(400).body("field", equalTo("Stripe-Signature"));
        given().header("Stripe-Signature", StripeSignature.sign(secret, paidEvent, Instant.now().minusSeconds(600))).body(paidEvent).post(hook)
                .then().statusCode(400);
        get(t, "/v1/invoices/" + invoice).body("status", equalTo("finalized"));
        given().header("Stripe-Signature", StripeSignature.sign(secret, paidEvent, Instant.now())).body(paidEvent).post(hook).then()
                .statusCode(200).body("outcome", Matchers.containsString("paid"));
        given().header("Stripe-Signature", StripeSignature.sign(secret, paidEvent, Instant.now())).body(paidEvent).post(hook).then()
                .statusCode(200).body("outcome", equalTo("already handled"));
        get(t, "/v1/invoices/" + invoice).body("status", equalTo("paid")).body("paymentReference", equalTo(intent));

        // a note on the paid invoice refunds through Stripe: the answer is lost once, the retry does not refund twice
        int refundsBefore = stripe.created("refund");
        String refund = post(t, "/v1/invoices/" + invoice + "/credit-notes",
                "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"2.34\"}],\"reason\":\"overcharge\"}").statusCode(201)
                .extract().path("refundId");
        stripe.dropAfterActing(1);
        jobs.runOnce();
        get(t, "/v1/refunds/" + refund).body("status", equalTo("pending"));
        jobs.dueNow(t.id());
        jobs.runOnce();
        assertThat(stripe.created("refund")).isEqualTo(refundsBefore + 1);
        get(t, "/v1/refunds/" + refund).body("status", equalTo("succeeded")).body("provider", equalTo("stripe"))
                .body("providerRefundId", Matchers.startsWith("re_"));
        // the lost answer's retry asked Stripe first (GET, by payment intent) and found the refund: one POST in all
        List<StripeStub.Request> refunds = stripe.requests().stream().filter(r -> r.path().equals("/v1/refunds")
                && refund.equals(r.params().get("metadata[tally_refund_id]"))).toList();
        assertThat(refunds).singleElement().satisfies(r -> {
            assertThat(r.idempotencyKey()).isEqualTo("tally-" + refund);
            assertThat(r.params()).containsEntry("amount", "234").containsEntry("payment_intent", intent);
        });
        assertThat(stripe.requests()).anySatisfy(r -> assertThat(r.method() + " " + r.path() + " " + r.params().get("payment_intent"))
                .isEqualTo("GET /v1/refunds " + intent));
        assertThat(jobs.state(t.id(), ProviderJobKind.REFUND, refund).status()).isEqualTo(ProviderJobStatus.DONE);
        // real Stripe keeps a 500 under its key and replays it: the retry looks the refund up and does not refund twice
        int before = stripe.created("refund");
        String second = post(t, "/v1/invoices/" + invoice + "/credit-notes",
                "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"1.00\"}],\"reason\":\"second outage\"}").statusCode(201)
                .extract().path("refundId");
        stripe.storedFailureNext(1, true);
        jobs.runOnce();
        get(t, "/v1/refunds/" + second).body("status", equalTo("pending"));
        jobs.dueNow(t.id());
        jobs.runOnce();
        assertThat(stripe.created("refund")).isEqualTo(before + 1);
        get(t, "/v1/refunds/" + second).body("status", equalTo("succeeded"));

        // a refund Stripe refuses is not lost: the amount goes back to the customer as prepaid credit
        stripe.nextRefundStatus("failed");
        String third = post(t, "/v1/invoices/" + invoice + "/credit-notes",
                "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"0.50\"}],\"reason\":\"third\"}").statusCode(201)
                .extract().path("refundId");
        jobs.runOnce();
        get(t, "/v1/refunds/" + third).body("status", equalTo("failed")).body("creditedGrantId", Matchers.startsWith("crd_"));
        get(t, "/v1/customers/st/credits").body("balance", equalTo("0.50"));

        // unauthenticated only with a signature: no key and no signature is refused
        given().body("{}").post(hook).then().statusCode(400);
        given().body("{}").post("/v1/payment-webhooks/stripe/ten_unknown").then().statusCode(404);
    }

    /**
     * A Stripe tenant's invoice changes in Tally after it was pushed: a credit note lowers what Stripe collects (a
     * Stripe credit note, by a sync job), Stripe's payment of the lowered amount pays it; a whole note settles another
     * and voids it at Stripe; an invoice paid by bank transfer is marked paid out of band there, and its refund is
     * recorded by hand (it has no Stripe payment).
     */
    @Test
    void changesInTallyReachTheStripeInvoice() throws Exception {
        StripeStub stripe = StripeStubResource.stub;
        Tenant t = tenant("Synced");
        String secret = "whsec_sync_" + System.nanoTime();
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"provider\":\"stripe\",\"apiKey\":\"" + StripeStubResource.API_KEY + "\",\"webhookSecret\":\"" + secret + "\"}")
                .put("/v1/payment-provider").then().statusCode(200);
        List<String> ids = setUp(t, monthStart(-1), "a", "b", "c");
        for (String id : ids) {
            fixture().usage(t, id, 1, monthStart(-1), monthStart(0), "10000");
        }
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(3);
        jobs.runOnce();
        Map<String, String> tally = new HashMap<>();
        Map<String, String> pushed = new HashMap<>();
        for (String c : List.of("a", "b", "c")) {
            String inv = get(t, "/v1/invoices?customer=" + c).extract().path("invoices[0].invoiceId");
            tally.put(c, inv);
            try (var conn = dataSource.getConnection(); var ps = conn.prepareStatement(
                    "select provider_id from provider_ref where tenant_id = ? and kind = 'invoice' and tally_id = ?")) {
                ps.setString(1, t.id());
                ps.setString(2, inv);
                try (var rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("pushed " + c).isTrue();
                    pushed.put(c, rs.getString(1));
                }
            }
            assertThat(stripe.object(pushed.get(c)).path("amount_remaining").asLong()).isEqualTo(1000);
        }

        // a: 2.00 off what is due → Stripe asks 8.00; its payment of 8.00 pays the Tally invoice
        post(t, "/v1/invoices/" + tally.get("a") + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"2.00\"}],"
                + "\"reason\":\"goodwill\"}").statusCode(201).body("appliedToDue", equalTo("2.00"));
        // b: settled whole by a credit note → voided at Stripe
        post(t, "/v1/invoices/" + tally.get("b") + "/credit-notes", "{\"reason\":\"cancelled\"}").statusCode(201);
        // c: paid by bank transfer → paid out of band at Stripe
        post(t, "/v1/invoices/" + tally.get("c") + "/payments", "{\"reference\":\"bank-42\",\"amount\":\"10.00\"}").statusCode(200);
        jobs.runOnce();
        assertThat(stripe.object(pushed.get("a")).path("amount_remaining").asLong()).isEqualTo(800);
        assertThat(stripe.object(pushed.get("a")).path("status").asText()).isEqualTo("open");
        assertThat(stripe.object(pushed.get("b")).path("status").asText()).isEqualTo("void");
        assertThat(stripe.object(pushed.get("c")).path("status").asText()).isEqualTo("paid");
        assertThat(stripe.object(pushed.get("c")).path("paid_out_of_band").asBoolean()).isTrue();
        assertThat(jobs.state(t.id(), ProviderJobKind.SYNC_INVOICE, tally.get("a")).status()).isEqualTo(ProviderJobStatus.DONE);
        jobs.dueNow(t.id());
        jobs.runOnce(); // nothing left to do: a sync compares both sides, it does not repeat itself
        assertThat(stripe.object(pushed.get("a")).path("amount_remaining").asLong()).isEqualTo(800);

        String intent = stripe.pay(pushed.get("a"));
        String event = json.writeValueAsString(json.createObjectNode().put("id", "evt_" + intent).put("type", "invoice.paid")
                .set("data", json.createObjectNode().set("object", stripe.object(pushed.get("a")))));
        given().header("Stripe-Signature", StripeSignature.sign(secret, event, Instant.now())).body(event)
                .post("/v1/payment-webhooks/stripe/" + t.id()).then().statusCode(200);
        get(t, "/v1/invoices/" + tally.get("a")).body("status", equalTo("paid")).body("paymentReference", equalTo(intent));

        // Stripe's newer invoice.paid without a payment_intent is not swallowed: 422, and not recorded as handled
        String bare = json.writeValueAsString(json.createObjectNode().put("id", "evt_bare").put("type", "invoice.paid")
                .set("data", json.createObjectNode().set("object", json.createObjectNode().put("id", pushed.get("a"))
                        .set("metadata", json.createObjectNode().put("tally_invoice_id", tally.get("a"))))));
        given().header("Stripe-Signature", StripeSignature.sign(secret, bare, Instant.now())).body(bare)
                .post("/v1/payment-webhooks/stripe/" + t.id()).then().statusCode(422);
        assertThat(fixture().count("select count(*) from provider_event where tenant_id = ? and event_id = 'evt_bare'", t.id())).isZero();

        // c was paid by bank transfer: its refund has no Stripe payment, so it is recorded by hand
        String refund = post(t, "/v1/invoices/" + tally.get("c") + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":"
                + "\"1.00\"}],\"reason\":\"x\"}").statusCode(201).extract().path("refundId");
        get(t, "/v1/refunds/" + refund).body("provider", equalTo("offline")).body("status", equalTo("pending"));
    }
}
