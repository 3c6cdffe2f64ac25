package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
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
 * A matrix charge on real invoices (issue 19): a grouped meter's groups priced per cell (region), with a default for
 * the regions the matrix does not list — on the draft, the finalized invoice, its explanation, and late usage in one
 * region billed as an adjustment priced per cell.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class MatrixChargeTest extends BillingTest {
    private static final String SEP = "2026-09-01T00:00:00Z";
    private static final String OCT = "2026-10-01T00:00:00Z";


    @Test
    void eachRegionIsPricedByItsCellAndLateUsageByTheCellItFallsIn() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("matrix");
        post(t, "/v1/meters", """
                {"key":"compute","eventType":"compute","aggregation":"SUM","property":"seconds","groupBy":["region"]}""").statusCode(201);
        // a matrix on a dimension the meter is not grouped by would price every event at the default: refused, naming the field
        post(t, "/v1/plans", plan("tier")).statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/matrix-dimension-not-grouped"))
                .body("field", equalTo("charges[0].price.dimensions"));
        post(t, "/v1/plans?publish=true", plan("region")).statusCode(201);
        String id = post(t, "/v1/customers", "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"grid\",\"subscriptionStart\":\"" + SEP
                + "\"}").statusCode(201).extract().path("customerId");

        // eu 150 @ 0.10 = 15.00; us 1,000 in graduated tiers: 500 @ 0.08 + 500 @ 0.05 = 65.00; ap 10 @ default 0.12 = 1.20
        fixture.groupedUsage(t, id, "compute", 1, SEP, OCT, Map.of(Map.of("region", "eu"), "150", Map.of("region", "us"), "1000",
                Map.of("region", "ap"), "10"));
        JsonPath draft = get(t, "/v1/customers/acme/invoices/draft?at=2026-09-15T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("lines[0].priceModel")).isEqualTo("matrix");
        assertThat(draft.getString("lines[0].quantity")).isEqualTo("1160");
        assertThat(draft.getString("lines[0].amount")).isEqualTo("81.20");
        assertThat(draft.getList("lines[0].explanation", String.class)).containsExactly(
                "{region=ap} (default) 10 × USD 0.12 = USD 1.2",
                "{region=eu} 150 × USD 0.1 = USD 15",
                "{region=us} tier 1 (0–500): 500 × USD 0.08 = USD 40",
                "{region=us} tier 2 (above 500): 500 × USD 0.05 = USD 25");

        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        JsonPath sep = get(t, "/v1/invoices?limit=1").statusCode(200).extract().jsonPath();
        assertThat(sep.getString("invoices[0].lines[0].amount")).isEqualTo("81.20");
        assertThat(sep.getString("invoices[0].total")).isEqualTo("81.20");
        assertThat(sep.getList("invoices[0].lines[0].explanation", String.class)).isEqualTo(draft.getList("lines[0].explanation", String.class));
        String invoiceId = sep.getString("invoices[0].invoiceId");
        JsonPath explained = get(t, "/v1/invoices/" + invoiceId + "/explain").statusCode(200).extract().jsonPath();
        assertThat(explained.getString("lines[0].definition.groupBy[0]")).isEqualTo("region");
        assertThat(explained.getList("lines[0].priceSteps", String.class)).contains("{region=eu} 150 × USD 0.1 = USD 15");

        // late usage in September: 100 more in eu (+10.00) and 200 more in us, all in its second tier (+10.00)
        fixture.groupedUsage(t, id, "compute", 2, SEP, OCT, Map.of(Map.of("region", "eu"), "250", Map.of("region", "us"), "1200"));
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        JsonPath oct = get(t, "/v1/invoices?limit=1").statusCode(200).extract().jsonPath();
        assertThat(oct.getString("invoices[0].periodStart")).isEqualTo(OCT);
        assertThat(oct.getList("invoices[0].adjustments")).hasSize(1);
        assertThat(oct.getString("invoices[0].adjustments[0].quantityBefore")).isEqualTo("1160");
        assertThat(oct.getString("invoices[0].adjustments[0].quantityAfter")).isEqualTo("1460");
        assertThat(oct.getString("invoices[0].adjustments[0].amountAfter")).isEqualTo("101.20");
        assertThat(oct.getString("invoices[0].adjustments[0].amount")).isEqualTo("20.00");
        assertThat(oct.getList("invoices[0].adjustments[0].explanation", String.class)).contains("{region=eu} 250 × USD 0.1 = USD 25");
        // October had no usage: the line is there at zero
        assertThat(oct.getString("invoices[0].lines[0].amount")).isEqualTo("0.00");
        assertThat(oct.getString("invoices[0].total")).isEqualTo("20.00");
    }

    private static String plan(String dimension) {
        return """
                {"key":"grid","name":"Grid","currency":"USD","charges":[{"meter":"compute","description":"Compute seconds","price":{
                  "model":"matrix","dimensions":["%s"],
                  "entries":[{"match":{"%s":"eu"},"price":{"model":"per_unit","unitPrice":"0.10"}},
                             {"match":{"%s":"us"},"price":{"model":"graduated","tiers":[{"upTo":"500","unitPrice":"0.08"},{"unitPrice":"0.05"}]}}],
                  "defaultPrice":{"model":"per_unit","unitPrice":"0.12"}}}]}""".formatted(dimension, dimension, dimension);
    }
}
