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
 * A payments-style percentage charge on real invoices (issue 19): Stripe's 2.9 % + 30¢ per transaction on a SUM meter of
 * payment amounts, on the draft and the finalized invoice, with its steps; what needs each transaction's value is
 * refused by name.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class PercentageChargeTest extends BillingTest {
    private static final String SEP = "2026-09-01T00:00:00Z";
    private static final String OCT = "2026-10-01T00:00:00Z";


    @Test
    void stripesCardFeeIsBilledFromTheSumAndCountOfPayments() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("payments");
        post(t, "/v1/meters", "{\"key\":\"payments\",\"eventType\":\"payment\",\"aggregation\":\"SUM\",\"property\":\"amount\"}").statusCode(201);
        post(t, "/v1/meters", "{\"key\":\"charges\",\"eventType\":\"payment\",\"aggregation\":\"COUNT\"}").statusCode(201);
        post(t, "/v1/plans", plan("charges", "")).statusCode(400).body("type", equalTo("https://tally.dev/problems/percentage-needs-sum"));
        post(t, "/v1/plans", plan("payments", ",\"maximumFee\":\"10\"")).statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/unsupported-model")).body("field", equalTo("charges[0].price.maximumFee"));
        post(t, "/v1/plans?publish=true", plan("payments", "")).statusCode(201);
        String id = post(t, "/v1/customers", "{\"externalId\":\"shop\",\"name\":\"Shop\",\"plan\":\"card\",\"subscriptionStart\":\"" + SEP + "\"}")
                .statusCode(201).extract().path("customerId");

        // three payments: $100, $10, $2,500 → 2.9 % of 2,610 = 75.69, plus 3 × 0.30 = 0.90
        fixture.meterUsage(t, id, "payments", 1, SEP, OCT, Map.of(Map.of(), "2610"), 3);
        JsonPath draft = get(t, "/v1/customers/shop/invoices/draft?at=2026-09-15T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("lines[0].priceModel")).isEqualTo("percentage");
        assertThat(draft.getString("lines[0].amount")).isEqualTo("76.59");
        assertThat(draft.getList("lines[0].explanation", String.class)).containsExactly("2.9 % of USD 2610 over 3 transactions = USD 75.69",
                "fixed fee: 3 × USD 0.3 = USD 0.9");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        JsonPath invoice = get(t, "/v1/invoices?customer=shop").statusCode(200).extract().jsonPath();
        assertThat(invoice.getString("invoices[0].total")).isEqualTo("76.59");
        assertThat(invoice.getList("invoices[0].lines[0].explanation")).isEqualTo(draft.getList("lines[0].explanation"));
    }

    /** Graduated percentage on the same payments: 3 % of the first 1,000, 2 % above → 30.00 + 32.20 = 62.20 on 2,610. */
    @Test
    void aGraduatedPercentageTakesEachTiersRateOfItsPart() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("tiered payments");
        post(t, "/v1/meters", "{\"key\":\"payments\",\"eventType\":\"payment\",\"aggregation\":\"SUM\",\"property\":\"amount\"}").statusCode(201);
        String tiers = """
                {"key":"tiered","name":"Tiered","currency":"USD","charges":[{"meter":"payments","price":{"model":"graduated_percentage",
                  "tiers":[{"upTo":"1000","ratePercent":"%s"},{"ratePercent":"2"}]}}]}""";
        post(t, "/v1/plans", tiers.formatted("130")).statusCode(400).body("field", equalTo("charges[0].price.tiers[0].ratePercent"));
        post(t, "/v1/plans?publish=true", tiers.formatted("3")).statusCode(201);
        String id = post(t, "/v1/customers", "{\"externalId\":\"shop\",\"name\":\"Shop\",\"plan\":\"tiered\",\"subscriptionStart\":\"" + SEP
                + "\"}").statusCode(201).extract().path("customerId");
        fixture.meterUsage(t, id, "payments", 1, SEP, OCT, Map.of(Map.of(), "2610"), 3);
        JsonPath draft = get(t, "/v1/customers/shop/invoices/draft?at=2026-09-15T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("lines[0].amount")).isEqualTo("62.20");
        assertThat(draft.getList("lines[0].explanation", String.class)).containsExactly("tier 1 (0–1000): 3 % of USD 1000 = USD 30",
                "tier 2 (above 1000): 2 % of USD 1610 = USD 32.2");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        assertThat(get(t, "/v1/invoices?customer=shop").extract().jsonPath().getString("invoices[0].total")).isEqualTo("62.20");
    }

    private static String plan(String meter, String extra) {
        return """
                {"key":"card","name":"Card","currency":"USD","charges":[{"meter":"%s","description":"Card payments",
                  "price":{"model":"percentage","ratePercent":"2.9","fixedFee":"0.30"%s}}]}""".formatted(meter, extra);
    }
}
