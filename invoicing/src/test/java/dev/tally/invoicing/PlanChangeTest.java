package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An upgrade in the middle of a period (issue 19): the usage before it is priced by the old plan, the usage after it by
 * the new one — on the draft, the finalized invoice and its explanation — and late usage in either part is adjusted at
 * the price of its own part.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class PlanChangeTest extends BillingTest {
    @Test
    void eachPartOfTheUpgradedPeriodIsPricedByItsOwnPlan() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("Upgraded mid-period");
        post(t, "/v1/meters", "{\"key\":\"gb\",\"eventType\":\"egress\",\"aggregation\":\"SUM\",\"property\":\"gb\"}").statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"starter","name":"Starter","currency":"USD","charges":[{"meter":"gb","description":"Egress","price":{"model":"graduated",
                  "tiers":[{"upTo":"100","unitPrice":"0"},{"unitPrice":"0.10"}]}}]}""").statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"pro","name":"Pro","currency":"USD","charges":[{"meter":"gb","description":"Egress","price":{"model":"per_unit",
                  "unitPrice":"0.04"}}]}""").statusCode(201);
        String start = monthStart(1);
        String end = monthStart(2);
        Instant upgrade = Instant.parse(start).plus(Duration.ofDays(14)).plus(Duration.ofHours(12));
        String id = post(t, "/v1/customers", "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"starter\",\"subscriptionStart\":\"" + start
                + "\"}").statusCode(201).extract().path("customerId");
        String sub = get(t, "/v1/subscriptions?customer=acme").statusCode(200).extract().path("[0].subscriptionId");
        post(t, "/v1/subscriptions/" + sub + "/changes", "{\"plan\":\"pro\",\"effectiveAt\":\"" + upgrade + "\"}").statusCode(200);

        // 400 GB before the upgrade: 100 free, 300 × 0.10 = 30.00; 1,500 GB after it: 1,500 × 0.04 = 60.00 (not 1,900 × 0.04 = 76.00)
        fixture.segmentedUsage(t, id, "gb", 1, start, end, "1900", 19, upgrade, "1500", 15);
        JsonPath draft = get(t, "/v1/customers/acme/invoices/draft?at=" + Instant.parse(start).plusSeconds(1)).statusCode(200).extract()
                .jsonPath();
        assertThat(draft.getString("lines[0].quantity")).isEqualTo("1900");
        assertThat(draft.getString("lines[0].amount")).isEqualTo("90.00");
        List<String> why = draft.getList("lines[0].explanation", String.class);
        assertThat(why).containsExactly(start + " to " + upgrade + " on starter v1: 400 (4 events) = USD 30",
                "  tier 1 (0–100): 100 × USD 0 = USD 0", "  tier 2 (above 100): 300 × USD 0.1 = USD 30",
                upgrade + " to " + end + " on pro v1: 1500 (15 events) = USD 60", "  1500 × USD 0.04 = USD 60");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(end).plus(Duration.ofHours(1)), "watermark", Instant.now())).isEqualTo(1);
        JsonPath invoice = get(t, "/v1/invoices?customer=acme").statusCode(200).extract().jsonPath();
        assertThat(invoice.getString("invoices[0].total")).isEqualTo("90.00");
        assertThat(invoice.getString("invoices[0].plan")).isEqualTo("pro");
        assertThat(invoice.getList("invoices[0].lines[0].explanation", String.class)).isEqualTo(why);

        // late usage before the upgrade is priced by starter: +100 GB → 40.00 + 60.00, an adjustment of 10.00 …
        fixture.segmentedUsage(t, id, "gb", 2, start, end, "2000", 20, upgrade, "1500", 15);
        String next = Instant.parse(end).plusSeconds(1).toString();
        JsonPath later = get(t, "/v1/customers/acme/invoices/draft?at=" + next).statusCode(200).extract().jsonPath();
        assertThat(later.getString("adjustments[0].amount")).isEqualTo("10.00");
        assertThat(later.getString("adjustments[0].amountAfter")).isEqualTo("100.00");
        // … and late usage after it by pro: +50 GB → 40.00 + 62.00, 12.00 over what was billed
        fixture.segmentedUsage(t, id, "gb", 3, start, end, "2050", 21, upgrade, "1550", 16);
        later = get(t, "/v1/customers/acme/invoices/draft?at=" + next).statusCode(200).extract().jsonPath();
        assertThat(later.getString("adjustments[0].amount")).isEqualTo("12.00");
        assertThat(later.getList("adjustments[0].explanation", String.class)).contains(upgrade + " to " + end
                + " on pro v1: 1550 (16 events) = USD 62").last().asString().startsWith("the line now USD 102.00 for 2050, billed so far USD 90.00");
    }
}
