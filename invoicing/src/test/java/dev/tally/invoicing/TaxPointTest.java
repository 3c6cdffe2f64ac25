package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.OPERATOR;
import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.model.tax.TaxPoint;
import dev.tally.testing.CheckConstraints;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The tax point (issue 19): a rate that changes between a period's end and its finalization applies to the invoice
 * at finalization by default, and the rate of the period's end when the tenant's tax point is {@code period_end};
 * the draft shows what the close will bill either way.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TaxPointTest extends BillingTest {

    @Test
    void aRateChangedAfterThePeriodEndedAppliesOnlyWithTheFinalizationTaxPoint() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("tax point");
        BillingFixture.setUp(t, BillingFixture.monthStart(0));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant end = now.plusSeconds(4);
        Instant rateChange = end.plusSeconds(2);
        put(t, "{\"name\":\"VAT\",\"ratePercent\":\"10\",\"inclusive\":false}");
        put(t, "{\"name\":\"VAT\",\"ratePercent\":\"20\",\"inclusive\":false,\"effectiveFrom\":\"" + rateChange + "\"}");
        for (String c : new String[] {"at-finalization", "at-period-end"}) {
            post(t, "/v1/customers", "{\"externalId\":\"" + c + "\",\"name\":\"" + c + "\",\"currency\":\"USD\",\"taxRegion\":\"DE\"}")
                    .statusCode(201);
            post(t, "/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"pro\",\"start\":\"" + now.minusSeconds(60) + "\",\"end\":\""
                    + end + "\"}").statusCode(201);
            JsonPath draft = get(t, "/v1/customers/" + c + "/invoices/draft").statusCode(200).extract().jsonPath();
            fixture.usage(t, draft.getString("customerId"), 1, draft.getString("periodStart"), draft.getString("periodEnd"), "10000");
        }
        while (Instant.now().isBefore(rateChange.plusSeconds(1))) {
            Thread.sleep(200);
        }
        // the default: the rate in force when the invoice is finalized (20 %), in the draft and on the invoice
        assertThat(tax(get(t, "/v1/customers/at-finalization/invoices/draft").statusCode(200).extract().jsonPath())).isEqualByComparingTo("2.00");
        JsonPath finalized = post(t, "/v1/invoices/close", "{\"customer\":\"at-finalization\"}").statusCode(201).extract().jsonPath();
        assertThat(tax(finalized)).isEqualByComparingTo("2.00");
        assertThat(new BigDecimal(finalized.getString("total"))).isEqualByComparingTo("12.00");

        // period_end: the rate in force at the period's last instant (10 %), though 20 % applies now
        settings(t, "{\"taxPoint\":\"period_end\"}").statusCode(200).body("taxPoint", equalTo("period_end"));
        assertThat(tax(get(t, "/v1/customers/at-period-end/invoices/draft").statusCode(200).extract().jsonPath())).isEqualByComparingTo("1.00");
        JsonPath atEnd = post(t, "/v1/invoices/close", "{\"customer\":\"at-period-end\"}").statusCode(201).extract().jsonPath();
        assertThat(tax(atEnd)).isEqualByComparingTo("1.00");
        assertThat(new BigDecimal(atEnd.getString("total"))).isEqualByComparingTo("11.00");
        assertThat(atEnd.getString("tax.ratePercent")).isEqualTo("10");

        // a tax point the platform does not know changes nothing
        settings(t, "{\"taxPoint\":\"delivery\"}").statusCode(400).body("field", equalTo("taxPoint"));
        given().header("Authorization", "Bearer " + OPERATOR).get("/v1/admin/tenants/" + t.id() + "/settings").then().statusCode(200)
                .body("taxPoint", equalTo("period_end"));
    }

    @Test
    void theTaxPointIsWhatTheDatabaseAllows() throws Exception {
        assertThat(CheckConstraints.allowed(dataSource, "tenant", "tax_point"))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(TaxPoint.values()).map(TaxPoint::wire).toList());
    }

    private static BigDecimal tax(JsonPath invoice) {
        return new BigDecimal(invoice.getString("tax.tax"));
    }

    private static void put(Tenant t, String body) {
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).put("/v1/tax-rates/DE").then().statusCode(200);
    }

    private static ValidatableResponse settings(Tenant t, String body) {
        return given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body(body)
                .patch("/v1/admin/tenants/" + t.id()).then();
    }
}
