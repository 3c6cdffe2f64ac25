package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.billing.PurchaseInvoices;
import dev.tally.testing.LocalStackResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A prepaid commitment (issue 19, the shape of a Metronome prepaid commit): USD 1,200 of purchased credit for a year,
 * paid in four instalments each invoiced once due, drawn down by the monthly usage invoices — which say which credit
 * was purchased and which was given — with a promotional grant beside it.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CommitmentTest extends BillingTest {
    private static final String SEP = "2026-09-01T00:00:00Z";
    private static final String OCT = "2026-10-01T00:00:00Z";

    @Inject
    PurchaseInvoices purchases;

    @Test
    void aPrepaidCommitmentIsInvoicedByInstalmentAndDrawnDownByUsage() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("commitment");
        String acme = BillingFixture.setUp(t, SEP, "acme").get(0);
        String credits = "/v1/customers/acme/credits";

        // bad input is named and changes nothing
        post(t, credits, "{\"amount\":\"1200\",\"reason\":\"x\",\"funding\":\"gift\"}").statusCode(400).body("field", equalTo("funding"));
        post(t, credits, "{\"amount\":\"1200\",\"reason\":\"x\",\"funding\":\"purchased\",\"instalments\":4}").statusCode(400)
                .body("field", equalTo("expiresAt"));
        post(t, credits, "{\"amount\":\"5\",\"reason\":\"x\",\"price\":\"5\"}").statusCode(400).body("field", equalTo("price"));
        post(t, credits, "{\"amount\":\"1200\",\"reason\":\"x\",\"funding\":\"purchased\",\"price\":\"0.001\"}").statusCode(400)
                .body("field", equalTo("price"));
        assertThat(fixture.count("select count(*) from credit_grant where tenant_id = ?", t.id())).isZero();

        // the commitment: a year from September, in quarters; the instalments due by now are invoiced at once
        JsonPath granted = post(t, credits, """
                {"amount":"1200","reason":"MSA 2026: annual commitment","funding":"purchased","instalments":4,
                 "effectiveAt":"%s","expiresAt":"2027-09-01T00:00:00Z"}""".formatted(SEP)).statusCode(201).extract().jsonPath();
        assertThat(granted.getString("grants[0].funding")).isEqualTo("purchased");
        assertThat(granted.getString("grants[0].price")).isEqualTo("1200.00");
        post(t, credits, "{\"amount\":\"5\",\"reason\":\"welcome\",\"priority\":1,\"effectiveAt\":\"" + SEP + "\"}").statusCode(201);
        JsonPath bought = get(t, "/v1/invoices?customer=acme&sort=number").statusCode(200).extract().jsonPath();
        int dueByNow = Instant.now().isBefore(Instant.parse("2026-12-01T06:00:00Z")) ? 1 : 2;
        assertThat(bought.getList("invoices")).hasSize(dueByNow);
        assertThat(bought.getString("invoices[0].kind")).isEqualTo("purchase");
        assertThat(bought.getString("invoices[0].total")).isEqualTo("300.00");
        assertThat(bought.getString("invoices[0].terms[0].description")).contains("instalment 1 of 4").contains("MSA 2026");
        // a purchase invoice is corrected by a credit note, not voided (the grant stays)
        post(t, "/v1/invoices/" + bought.getString("invoices[0].invoiceId") + "/void", "{\"reason\":\"x\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/purchase-invoice"));

        // September's usage (10.00) is drawn from the commitment (it expires first), not from the promotional grant
        fixture.usage(t, acme, 1, SEP, OCT, "10000");
        JsonPath draft = get(t, "/v1/customers/acme/invoices/draft?at=2026-09-10T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("amountDue")).isEqualTo("0.00");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        JsonPath september = new JsonPath(get(t, "/v1/invoices?customer=acme&status=finalized&sort=-periodStart&limit=10").extract().asString());
        List<String> kinds = september.getList("invoices.kind");
        JsonPath usage = new JsonPath(september.prettify()).setRootPath("invoices[" + kinds.indexOf("usage") + "]");
        assertThat(usage.getString("total")).isEqualTo("10.00");
        assertThat(usage.getString("creditsApplied")).isEqualTo("10.00");
        assertThat(usage.getString("amountDue")).isEqualTo("0.00");
        assertThat(usage.getString("credits[0].funding")).isEqualTo("purchased");
        assertThat(usage.getString("credits[0].amount")).isEqualTo("10.00");
        assertThat(given().header("Authorization", "Bearer " + t.key()).get("/v1/invoices/" + usage.getString("invoiceId") + "/document.html")
                .then().statusCode(200).extract().asString()).contains("Purchased credit drawn down (prepaid commitment)");

        // the rest of the instalments fall due over the term: four in all, adding up to the price exactly
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                purchases.issueDue(c, t.id(), Instant.parse("2027-08-31T00:00:00Z"), "test");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonPath all = get(t, "/v1/invoices?customer=acme&limit=50").statusCode(200).extract().jsonPath();
        List<String> totals = all.getList("invoices.findAll { it.kind == 'purchase' }.total");
        assertThat(totals).hasSize(4);
        assertThat(totals.stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("1200.00");
        get(t, credits).statusCode(200).body("grants[0].invoiced", equalTo("1200.00")).body("grants[0].remaining", equalTo("1190.00"))
                .body("grants[1].funding", equalTo("promotional")).body("grants[1].remaining", equalTo("5.00"));
    }
}
