package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Stand-alone adjustment invoices (issue 19): late usage and retractions of a customer whose subscription has ended
 * and whose last period is invoiced are billed — or credited — on an invoice of their own, once the usage has been quiet
 * for the close grace; a void gives them back to the next run, which bills them again.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class AdjustmentInvoiceTest extends BillingTest {

    @Test
    void lateUsageAfterTheLastPeriodIsBilledAloneAndARetractionIsCredited() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("adjustment-alone");
        BillingFixture.setUp(t, monthStart(-2));
        String id = post(t, "/v1/customers", "{\"externalId\":\"gone\",\"name\":\"Gone\",\"currency\":\"USD\"}").statusCode(201).extract()
                .path("customerId");
        post(t, "/v1/subscriptions", "{\"customer\":\"gone\",\"plan\":\"pro\",\"start\":\"" + monthStart(-2) + "\",\"end\":\"" + monthStart(0)
                + "\"}").statusCode(201);
        fixture.usage(t, id, 1, monthStart(-2), monthStart(-1), "3000", monthStart(-1), monthStart(0), "4000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);

        // late usage of the first period (+2,000 bytes = +2.00), a retraction in the second (−500 = −0.50)
        fixture.usage(t, id, 2, monthStart(-2), monthStart(-1), "5000", monthStart(-1), monthStart(0), "3500");
        // not quiet yet: the closer's cutoff (watermark less the grace) is before the usage arrived
        assertThat(closer.closeTenant(t.id(), Instant.now().minus(Duration.ofHours(1)), "watermark", Instant.now())).isZero();
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isEqualTo(1);
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).as("billed once").isZero();

        JsonPath list = get(t, "/v1/invoices?customer=gone&sort=number").statusCode(200).extract().jsonPath();
        assertThat(list.getList("invoices.kind")).containsExactly("usage", "usage", "adjustment");
        String charge = list.getString("invoices[2].invoiceId");
        JsonPath doc = get(t, "/v1/invoices/" + charge).statusCode(200).extract().jsonPath();
        assertThat(doc.getString("total")).isEqualTo("1.50");
        assertThat(doc.getString("amountDue")).isEqualTo("1.50");
        assertThat(doc.getList("lines")).isEmpty();
        assertThat(doc.getList("adjustments.amount")).containsExactlyInAnyOrder("2.00", "-0.50");
        assertThat(doc.getList("adjustments.explanation.flatten()", String.class)).anyMatch(
                step -> step.startsWith("the line now USD 5.00 for 5000, billed so far USD 3.00 for 3000 (") && step.endsWith("): adjustment USD 2.00"));
        assertThat(doc.getString("periodStart")).isEqualTo(monthStart(-2));
        assertThat(doc.getString("periodEnd")).isEqualTo(monthStart(0));
        assertThat(number(doc.getString("number"))).isEqualTo(number(list.getString("invoices[1].number")) + 1);
        get(t, "/v1/invoices/" + charge + "/document.html").statusCode(200).body(containsString("adjustments of earlier periods"));
        get(t, "/v1/invoices/" + charge + "/explain").statusCode(200);

        // a retraction of 2,500 more in the second period: a credit of −2.50
        fixture.usage(t, id, 3, monthStart(-1), monthStart(0), "1000");
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isEqualTo(1);
        String credit = get(t, "/v1/invoices?customer=gone&sort=-number").statusCode(200).body("invoices[0].kind", equalTo("adjustment"))
                .body("invoices[0].total", equalTo("-2.50")).body("invoices[0].amountDue", equalTo("-2.50")).extract().path("invoices[0].invoiceId");

        // voided, it is billed again by the next run — exactly once
        post(t, "/v1/invoices/" + credit + "/void", "{\"reason\":\"sent twice\"}").statusCode(200).body("status", equalTo("void"));
        post(t, "/v1/invoices/" + credit + "/reissue", "{}").statusCode(409).body("type", containsString("not-a-period-invoice"));
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isEqualTo(1);
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isZero();
        get(t, "/v1/invoices?customer=gone&sort=-number").statusCode(200).body("invoices[0].total", equalTo("-2.50"))
                .body("invoices[0].status", equalTo("finalized"));
        // live invoices now bill exactly the stored usage: 5.00 + 1.00 over the two periods
        assertThat(fixture.count("select sum(billed_amount) * 100 from billed_usage where tenant_id = ?", t.id())).isEqualTo(600);
    }

    @Test
    void aCustomerWithAPeriodLeftWaitsForItsNextClose() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("adjustment-next-close");
        String id = BillingFixture.setUp(t, monthStart(-1), "stays").get(0);
        fixture.usage(t, id, 1, monthStart(-1), monthStart(0), "3000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(1);
        fixture.usage(t, id, 2, monthStart(-1), monthStart(0), "5000");
        // the subscription goes on: the late usage waits for the current period's invoice, no invoice of its own
        assertThat(closer.closeTenant(t.id(), Instant.now(), "watermark", Instant.now())).isZero();
        get(t, "/v1/customers/stays/invoices/draft").statusCode(200).body("adjustments[0].amount", equalTo("2.00"));
    }

    private static long number(String n) {
        return Long.parseLong(n.substring(n.lastIndexOf('-') + 1));
    }
}
