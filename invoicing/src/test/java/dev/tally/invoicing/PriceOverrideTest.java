package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A negotiated rate card (issue 19): a customer's price override bills that customer — and only it — at its own price,
 * on the draft, the finalized invoice (naming the override), its explanation and the late usage of its period; it
 * cannot reach back into an invoiced period; ending it returns the customer to the plan's price.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class PriceOverrideTest extends BillingTest {
    private static final String SEP = "2026-09-01T00:00:00Z";
    private static final String OCT = "2026-10-01T00:00:00Z";
    private static final String NOV = "2026-11-01T00:00:00Z";


    @Test
    void aContractCustomerIsBilledItsNegotiatedRateAndNoOneElseIs() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("rate card");
        List<String> ids = BillingFixture.setUp(t, SEP, "self-serve", "contract");
        String path = "/v1/customers/contract/price-overrides";

        // bad input is named and changes nothing
        post(t, path, "{\"meter\":\"nope\",\"price\":{\"model\":\"per_unit\",\"unitPrice\":\"0.0008\"}}").statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/unknown-meter")).body("field", equalTo("meter"));
        post(t, path, "{\"meter\":\"bandwidth\",\"price\":{\"model\":\"per_unit\",\"unitPrice\":\"-1\"}}").statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/invalid-plan")).body("field", equalTo("price.unitPrice"));
        post(t, path, "{\"meter\":\"bandwidth\",\"price\":{\"model\":\"percentage\",\"ratePercent\":\"2.9\",\"minimumFee\":\"0.5\"}}")
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/unsupported-model")).body("field", equalTo("price.minimumFee"));
        post(t, path, "{\"meter\":\"bandwidth\",\"plan\":\"gold\",\"price\":{\"model\":\"per_unit\",\"unitPrice\":\"0.0008\"}}").statusCode(400)
                .body("field", equalTo("plan"));
        post(t, path, "{\"meter\":\"bandwidth\"}").statusCode(400).body("field", equalTo("price"));
        assertThat(fixture.count("select count(*) from price_override where tenant_id = ?", t.id())).isZero();

        String overrideId = post(t, path, """
                {"meter":"bandwidth","plan":"pro","price":{"model":"per_unit","unitPrice":"0.0008"},"effectiveFrom":"%s",
                 "reason":"MSA 2026-09: 20 %% off bandwidth"}""".formatted(SEP)).statusCode(201)
                .body("price.unitPrice", equalTo("0.0008")).extract().path("overrideId");
        fixture.usage(t, ids.get(0), 1, SEP, OCT, "10000");
        fixture.usage(t, ids.get(1), 1, SEP, OCT, "10000");

        // the draft: the list price for one, the negotiated one for the other, the override named first
        get(t, "/v1/customers/self-serve/invoices/draft?at=2026-09-20T00:00:00Z").statusCode(200).body("total", equalTo("10.00"));
        JsonPath draft = get(t, "/v1/customers/contract/invoices/draft?at=2026-09-20T00:00:00Z").statusCode(200).extract().jsonPath();
        assertThat(draft.getString("total")).isEqualTo("8.00");
        assertThat(draft.getString("lines[0].priceOverride")).isEqualTo(overrideId);
        assertThat(draft.getString("lines[0].explanation[0]")).startsWith("negotiated price (override " + overrideId).contains("MSA 2026-09");

        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(2);
        JsonPath invoices = get(t, "/v1/invoices?customer=contract").statusCode(200).extract().jsonPath();
        assertThat(invoices.getString("invoices[0].total")).isEqualTo("8.00");
        assertThat(invoices.getString("invoices[0].lines[0].priceOverride")).isEqualTo(overrideId);
        assertThat(invoices.getList("invoices[0].lines[0].explanation")).isEqualTo(draft.getList("lines[0].explanation"));
        get(t, "/v1/invoices/" + invoices.getString("invoices[0].invoiceId") + "/explain").statusCode(200)
                .body("lines[0].priceOverride", equalTo(overrideId));
        assertThat(get(t, "/v1/invoices?customer=self-serve").extract().jsonPath().getString("invoices[0].total")).isEqualTo("10.00");

        // September is invoiced: the override can neither start nor end inside it
        post(t, path + "/" + overrideId + "/end", "{\"effectiveUntil\":\"2026-09-20T00:00:00Z\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/period-invoiced"));
        post(t, path, "{\"meter\":\"bandwidth\",\"price\":{\"model\":\"per_unit\",\"unitPrice\":\"0.0001\"},\"effectiveFrom\":\"" + SEP + "\"}")
                .statusCode(409).body("field", equalTo("effectiveFrom"));
        // ended mid-October: October's period is priced at its end, by the plan again
        post(t, path + "/" + overrideId + "/end", "{\"effectiveUntil\":\"2026-10-15T00:00:00Z\"}").statusCode(200)
                .body("effectiveUntil", equalTo("2026-10-15T00:00:00Z"));
        post(t, path + "/" + overrideId + "/end", "{\"effectiveUntil\":\"2026-10-20T00:00:00Z\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/override-ended"));

        // late usage of September is priced as September was: by the override (12,000 × 0.0008 = 9.60, 1.60 more)
        fixture.usage(t, ids.get(1), 2, SEP, OCT, "12000", OCT, NOV, "10000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", Instant.now())).isEqualTo(2);
        JsonPath october = get(t, "/v1/invoices?customer=contract&limit=1").statusCode(200).extract().jsonPath();
        assertThat(october.getString("invoices[0].periodStart")).isEqualTo(OCT);
        assertThat(october.getString("invoices[0].lines[0].amount")).isEqualTo("10.00");
        assertThat(october.getString("invoices[0].lines[0].priceOverride")).isNull();
        assertThat(october.getString("invoices[0].adjustments[0].amount")).isEqualTo("1.60");
        assertThat(october.getString("invoices[0].adjustments[0].explanation[0]")).contains(overrideId);
        assertThat(october.getString("invoices[0].total")).isEqualTo("11.60");

        get(t, path).statusCode(200).body("overrides.size()", equalTo(1)).body("overrides[0].effectiveUntil", equalTo("2026-10-15T00:00:00Z"));
        assertThat(fixture.count("select count(*) from audit_log where tenant_id = ? and entity_type = 'price_override'", t.id())).isEqualTo(2);
        // another tenant sees none of it
        get(BillingFixture.tenant("other rate card"), path).statusCode(404);
        // and the table holds it: a price never changes once created
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update price_override set price_json = '{}' where override_id = ?")) {
            ps.setString(1, overrideId);
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("cannot change");
        }
    }
}
