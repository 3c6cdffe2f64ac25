package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Packages inside graduated tiers on real invoices (issue 19): the first 100 GB free, then USD 5 per started 100 GB up to
 * 1,000 GB, then USD 4 per started 100 GB — on the draft, the finalized invoice and its steps; tiers whose bounds split a
 * package, and packages in volume tiers, are refused by field.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TieredPackageChargeTest extends BillingTest {
    private static final String SEP = "2026-09-01T00:00:00Z";
    private static final String OCT = "2026-10-01T00:00:00Z";
    private static final String PLAN = """
            {"key":"egress","name":"Egress","currency":"USD","charges":[{"meter":"gb","description":"Egress","price":{"model":"%s",
              "tiers":[{"upTo":"%s","unitPrice":"0"},{"upTo":"1000","unitPrice":"5","packageSize":"100"},
                       {"unitPrice":"4","packageSize":"100"}]}}]}""";


    @Test
    void eachTierBillsThePackagesItStarts() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("tiered packages");
        post(t, "/v1/meters", "{\"key\":\"gb\",\"eventType\":\"egress\",\"aggregation\":\"SUM\",\"property\":\"gb\"}").statusCode(201);
        post(t, "/v1/plans", PLAN.formatted("graduated", "10")).statusCode(400).body("field", equalTo("charges[0].price.tiers[1].packageSize"))
                .body("detail", containsString("whole packages of 100"));
        post(t, "/v1/plans", PLAN.formatted("volume", "100")).statusCode(400).body("field", equalTo("charges[0].price.tiers[1].packageSize"));
        post(t, "/v1/plans?publish=true", PLAN.formatted("graduated", "100")).statusCode(201);
        String id = post(t, "/v1/customers", "{\"externalId\":\"cdn\",\"name\":\"CDN\",\"plan\":\"egress\",\"subscriptionStart\":\"" + SEP + "\"}")
                .statusCode(201).extract().path("customerId");

        // 1,234 GB = 100 free + 9 packages × 5 + 3 packages (the last partial) × 4 = 57.00
        fixture.meterUsage(t, id, "gb", 1, SEP, OCT, Map.of(Map.of(), "1234"), 40);
        JsonPath draft = get(t, "/v1/customers/cdn/invoices/draft?at=2026-09-15T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("lines[0].amount")).isEqualTo("57.00");
        assertThat(draft.getList("lines[0].explanation", String.class)).contains(
                "tier 2 (100–1000): 900 in packages of 100 = 9 packages × USD 5 = USD 45",
                "tier 3 (above 1000): 234 in packages of 100 = 3 packages × USD 4 = USD 12");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        JsonPath invoice = get(t, "/v1/invoices?customer=cdn").statusCode(200).extract().jsonPath();
        assertThat(invoice.getString("invoices[0].total")).isEqualTo("57.00");
        assertThat(invoice.getList("invoices[0].lines[0].explanation")).isEqualTo(draft.getList("lines[0].explanation"));
        // one more GB starts a fourth package of the last tier: +4.00, as a late-usage adjustment on the draft
        fixture.meterUsage(t, id, "gb", 2, SEP, OCT, Map.of(Map.of(), "1301"), 41);
        get(t, "/v1/customers/cdn/invoices/draft?at=2026-10-15T00:00:00Z").statusCode(200).body("adjustments[0].amount", equalTo("4.00"));
    }
}
