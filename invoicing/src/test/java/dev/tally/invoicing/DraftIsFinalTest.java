package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The draft is an exact preview: for seeded random plans (per-unit or graduated, fixed fees, discounts, a minimum
 * commitment), usage, late usage of an already invoiced period (more or less than billed), prepaid credit and tax
 * rates (exclusive, inclusive, none), the draft read just before the close equals the finalized invoice — every line,
 * term, adjustment, the tax, the credit applied and the amount due, to the minor unit. Both come from
 * {@code InvoiceGenerator}; this proves that they are fed the same inputs.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class DraftIsFinalTest extends BillingTest {
    private static final int SCENARIOS = 12;
    /** What a document says about money and its explanation; identity, status and finalization differ by design. */
    private static final List<String> COMPARED = List.of("customerId", "currency", "periodStart", "periodEnd", "pricedAt", "subscriptionId",
            "plan", "planVersion", "lines", "terms", "adjustments", "subtotal", "tax", "total", "creditsApplied", "amountDue", "rounding");


    @Test
    void theDraftReadJustBeforeTheCloseIsTheFinalizedInvoice() throws Exception {
        BillingFixture fixture = fixture();
        int adjusted = 0;
        int credited = 0;
        int taxed = 0;
        for (int seed = 1; seed <= SCENARIOS; seed++) {
            Random r = new Random(seed * 7919L);
            Tenant t = BillingFixture.tenant("Draft " + seed);
            String p1 = BillingFixture.monthStart(-2);
            String p2 = BillingFixture.monthStart(-1);
            String p3 = BillingFixture.monthStart(0);
            BillingFixture.post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                    .statusCode(201);
            BillingFixture.post(t, "/v1/plans?publish=true", plan(r)).statusCode(201);
            String customer = BillingFixture.post(t, "/v1/customers", "{\"externalId\":\"c\",\"name\":\"C\",\"plan\":\"p\",\"subscriptionStart\":\""
                    + p1 + "\"}").statusCode(201).extract().path("customerId");
            String region = switch (r.nextInt(3)) {
                case 0 -> "DE";
                case 1 -> "UK";
                default -> null;
            };
            if (region != null) {
                RestAssured.given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                        .body("{\"name\":\"VAT\",\"ratePercent\":\"" + (region.equals("DE") ? "19" : "20") + "\",\"inclusive\":"
                                + region.equals("UK") + "}").put("/v1/tax-rates/" + region).then().statusCode(200);
                RestAssured.given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                        .body("{\"taxRegion\":\"" + region + "\"}").patch("/v1/customers/c").then().statusCode(200);
            }
            // the first period, invoiced; then its late usage (up or down) and the second period's usage
            fixture.usage(t, customer, 1, p1, p2, quantity(r));
            assertThat(closer.closeTenant(t.id(), Instant.parse(p2), "watermark", Instant.now())).isEqualTo(1);
            fixture.usage(t, customer, 2, p1, p2, quantity(r), p2, p3, quantity(r));
            if (r.nextBoolean()) {
                // prepaid credit for the second invoice (the first would have used it up otherwise)
                BillingFixture.post(t, "/v1/customers/c/credits", "{\"amount\":\"" + money(r, 400) + "\",\"reason\":\"prepaid\"}").statusCode(201);
            }

            JsonNode draft = json.readTree(BillingFixture.get(t, "/v1/customers/c/invoices/draft?at=" + p2).statusCode(200).extract().asString());
            assertThat(closer.closeTenant(t.id(), Instant.parse(p3), "watermark", Instant.now())).isEqualTo(1);
            String invoiceId = BillingFixture.get(t, "/v1/invoices?customer=c").statusCode(200).extract().path("invoices[0].invoiceId");
            JsonNode fin = json.readTree(BillingFixture.get(t, "/v1/invoices/" + invoiceId).statusCode(200).extract().asString());

            assertThat(fin.path("periodStart").asText()).isEqualTo(p2);
            assertThat(compared(draft)).as("scenario " + seed + ": the draft\n" + draft.toPrettyString() + "\nthe invoice\n"
                    + fin.toPrettyString()).isEqualTo(compared(fin));
            adjusted += fin.path("adjustments").isEmpty() ? 0 : 1;
            credited += new BigDecimal(fin.path("creditsApplied").asText("0")).signum() > 0 ? 1 : 0;
            taxed += fin.path("tax").isObject() ? 1 : 0;
        }
        // the scenarios exercised what the draft must preview
        assertThat(adjusted).as("invoices with adjustments").isGreaterThanOrEqualTo(SCENARIOS / 2);
        assertThat(credited).as("invoices with prepaid credit applied").isPositive();
        assertThat(taxed).as("invoices with a tax").isPositive();
    }

    private ObjectNode compared(JsonNode doc) {
        ObjectNode out = json.createObjectNode();
        for (String field : COMPARED) {
            out.set(field, doc.path(field));
        }
        return out;
    }

    /** A plan "p" on meter bandwidth: per-unit or graduated, a fixed fee, maybe a discount and a minimum commitment. */
    private static String plan(Random r) {
        String price = r.nextBoolean()
                ? "{\"model\":\"per_unit\",\"unitPrice\":\"" + decimal(r, 1, 6) + "\"}"
                : "{\"model\":\"graduated\",\"tiers\":[{\"upTo\":\"10000\",\"unitPrice\":\"" + decimal(r, 2, 6) + "\"},{\"unitPrice\":\""
                        + decimal(r, 1, 6) + "\",\"flatFee\":\"1.50\"}]}";
        String discount = switch (r.nextInt(3)) {
            case 0 -> ",\"discounts\":[{\"name\":\"launch\",\"kind\":\"percent\",\"value\":\"12.5\"}]";
            case 1 -> ",\"discounts\":[{\"name\":\"loyalty\",\"kind\":\"amount\",\"value\":\"3.33\"}]";
            default -> "";
        };
        String minimum = r.nextBoolean() ? ",\"minimumCommitment\":\"" + money(r, 60) + "\"" : "";
        return "{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"charges\":[{\"meter\":\"bandwidth\",\"description\":\"Bandwidth\",\"price\":"
                + price + "}],\"terms\":{\"fixedFees\":[{\"key\":\"platform\",\"description\":\"Platform fee\",\"amount\":\"" + money(r, 30) + "\"}]"
                + discount + minimum + "}}";
    }

    /** A positive unit price up to 0.001 × {@code scale}, in millionths. */
    private static String decimal(Random r, int scale, int digits) {
        return BigDecimal.valueOf(1 + (long) r.nextInt(999) * scale).movePointLeft(digits).toPlainString();
    }

    private static String money(Random r, int max) {
        return BigDecimal.valueOf(100 + r.nextInt(max * 100)).movePointLeft(2).toPlainString();
    }

    private static String quantity(Random r) {
        return BigDecimal.valueOf(r.nextInt(5_000_000)).movePointLeft(r.nextInt(3)).toPlainString();
    }
}
