package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Progressive (threshold) billing on real invoices (issue 19): a customer's usage charges in the open period bill a
 * progressive invoice each time they reach its threshold above what was billed; the period's invoice deducts every live
 * one, so together they bill the period once.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ProgressiveInvoiceTest extends BillingTest {

    @Test
    void aThresholdBillsUsageAsItGrowsAndThePeriodsInvoiceDeductsIt() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("progressive");
        String start = BillingFixture.monthStart(0);
        String end = BillingFixture.monthStart(1);
        String id = BillingFixture.setUp(t, start, "gateway-co").get(0);
        String path = "/v1/customers/gateway-co/billing-threshold";
        put(t, path, "{\"amount\":\"5.001\"}").statusCode(400).body("field", equalTo("amount"));
        put(t, path, "{\"amount\":\"5.00\"}").statusCode(200).body("amount", equalTo("5.00"));

        // 4.00 of usage: below the threshold, nothing issued
        fixture.usage(t, id, 1, start, end, "4000");
        post(t, path + "/check", "{}").statusCode(200).body("issued", nullValue());
        // 6.00: a progressive invoice for all of it
        fixture.usage(t, id, 2, start, end, "6000");
        JsonPath first = post(t, path + "/check", "{}").statusCode(200).extract().jsonPath().setRootPath("issued");
        assertThat(first.getString("kind")).isEqualTo("progressive");
        assertThat(first.getString("subtotal")).isEqualTo("6.00");
        // 9.00: 3.00 more, below the threshold again; 12.50: 6.50 more, a second one that deducts the first
        fixture.usage(t, id, 3, start, end, "9000");
        post(t, path + "/check", "{}").statusCode(200).body("issued", nullValue());
        fixture.usage(t, id, 4, start, end, "12500");
        JsonPath second = post(t, path + "/check", "{}").statusCode(200).extract().jsonPath().setRootPath("issued");
        assertThat(second.getString("lines[0].amount")).isEqualTo("12.50");
        assertThat(second.getString("terms[0].amount")).isEqualTo("-6.00");
        assertThat(second.getString("subtotal")).isEqualTo("6.50");

        // the draft deducts both: 12.50 + 0.50 more − 6.00 − 6.50 = 0.50
        fixture.usage(t, id, 5, start, end, "13000");
        get(t, "/v1/customers/gateway-co/invoices/draft").statusCode(200).body("total", equalTo("0.50"));
        // voiding the second gives its 6.50 back to bill: a progressive invoice is not reissued, the next check bills 7.00
        post(t, "/v1/invoices/" + second.getString("invoiceId") + "/void", "{\"reason\":\"wrong address\"}").statusCode(200);
        post(t, "/v1/invoices/" + second.getString("invoiceId") + "/reissue", "{}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/not-a-period-invoice"));
        get(t, "/v1/customers/gateway-co/invoices/draft").statusCode(200).body("total", equalTo("7.00"));
        post(t, path + "/check", "{}").statusCode(200).body("issued.subtotal", equalTo("7.00"));

        // the period's invoice deducts the live ones: 13.00 − 6.00 − 7.00 = 0.00
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(end).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(1);
        JsonPath all = get(t, "/v1/invoices?customer=gateway-co&status=finalized&limit=10").statusCode(200).extract().jsonPath();
        List<String> kinds = all.getList("invoices.kind");
        assertThat(kinds).containsExactlyInAnyOrder("usage", "progressive", "progressive");
        JsonPath usage = new JsonPath(all.prettify()).setRootPath("invoices[" + kinds.indexOf("usage") + "]");
        assertThat(usage.getString("total")).isEqualTo("0.00");
        assertThat(usage.getList("terms.key")).hasSize(2).allMatch(k -> k.toString().startsWith("progressive:"));
        // together: the period's 13.00 billed once
        List<String> subtotals = all.getList("invoices.subtotal");
        assertThat(subtotals.stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("13.00");
        // the period is invoiced: no more progressive invoices for it, and a deducted one cannot be voided on its own
        post(t, "/v1/invoices/" + first.getString("invoiceId") + "/void", "{\"reason\":\"x\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/period-invoiced"));
        assertThat(fixture.count("select count(*) from audit_log where tenant_id = ? and entity_type = 'billing_threshold'", t.id())).isEqualTo(1);
    }

    private static ValidatableResponse put(Tenant t, String path, String body) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).put(path).then();
    }
}
