package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finance's figures (docs/finance.md) from real invoices and credit notes: three customers' invoices of last month — one
 * paid, one with VAT, one partly credited — add up, per month and currency, to what each invoice says, and
 * {@code due = paid + outstanding + creditedToDue}; by plan and by meter; usage per customer; bad months name their field;
 * another tenant sees none of it.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class FinanceTest extends BillingTest {

    @Test
    void revenueAddsUpFromTheInvoicesAndCreditNotesOfTheMonth() throws Exception {
        Tenant t = tenant("Finance");
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"name\":\"VAT\",\"ratePercent\":\"19\",\"inclusive\":false}").put("/v1/tax-rates/DE").then().statusCode(200);
        List<String> ids = setUp(t, monthStart(-1), "fa", "fb", "fc");
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{\"taxRegion\":\"DE\"}")
                .patch("/v1/customers/fc").then().statusCode(200);
        fixture().usage(t, ids.get(0), 1, monthStart(-1), monthStart(0), "10000");
        fixture().usage(t, ids.get(1), 1, monthStart(-1), monthStart(0), "20000");
        fixture().usage(t, ids.get(2), 1, monthStart(-1), monthStart(0), "5000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(3);
        Map<String, String> invoices = Map.of("fa", invoice(t, "fa"), "fb", invoice(t, "fb"), "fc", invoice(t, "fc"));
        get(t, "/v1/invoices/" + invoices.get("fc")).body("total", equalTo("5.95"));
        post(t, "/v1/invoices/" + invoices.get("fb") + "/payments", "{\"reference\":\"bank-7\",\"amount\":\"20.00\"}").statusCode(200);
        post(t, "/v1/invoices/" + invoices.get("fa") + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"4.00\"}],"
                + "\"reason\":\"outage\"}").statusCode(201).body("appliedToDue", equalTo("4.00"));

        String month = YearMonth.now(ZoneOffset.UTC).toString(); // the invoices were finalized now
        JsonPath r = get(t, "/v1/finance/revenue").statusCode(200).extract().jsonPath();
        assertThat(r.getString("to")).isEqualTo(month);
        assertThat(r.getString("from")).isEqualTo(YearMonth.now(ZoneOffset.UTC).minusMonths(11).toString());
        assertThat(r.getList("rows")).hasSize(1);
        assertThat(r.getString("rows[0].month")).isEqualTo(month);
        assertThat(r.getString("rows[0].currency")).isEqualTo("USD");
        assertThat(r.getLong("rows[0].invoices")).isEqualTo(3);
        assertThat(r.getString("rows[0].invoiced")).isEqualTo("35.95"); // 10.00 + 20.00 + 5.95
        assertThat(r.getString("rows[0].tax")).isEqualTo("0.95");
        assertThat(r.getString("rows[0].prepaidCredit")).isEqualTo("0.00");
        assertThat(r.getString("rows[0].due")).isEqualTo("35.95");
        assertThat(r.getString("rows[0].paid")).isEqualTo("20.00");
        assertThat(r.getString("rows[0].credited")).isEqualTo("4.00");
        assertThat(r.getString("rows[0].creditedToDue")).isEqualTo("4.00");
        assertThat(r.getString("rows[0].outstanding")).isEqualTo("11.95"); // 10.00 − 4.00 + 5.95

        JsonPath byPlan = get(t, "/v1/finance/revenue?by=plan&from=" + month + "&to=" + month).statusCode(200).extract().jsonPath();
        assertThat(byPlan.getString("rows[0].plan")).isEqualTo("pro");
        assertThat(byPlan.getString("rows[0].outstanding")).isEqualTo("11.95");
        JsonPath meters = get(t, "/v1/finance/revenue/meters").statusCode(200).extract().jsonPath();
        assertThat(meters.getList("rows")).hasSize(1);
        assertThat(meters.getString("rows[0].meter")).isEqualTo("bandwidth");
        assertThat(meters.getString("rows[0].quantity")).isEqualTo("35000");
        assertThat(meters.getString("rows[0].amount")).isEqualTo("35.00");
        JsonPath usage = get(t, "/v1/finance/usage?meter=bandwidth&customer=fb&from=" + YearMonth.now(ZoneOffset.UTC).minusMonths(1)).statusCode(200)
                .extract().jsonPath();
        assertThat(usage.getList("rows")).hasSize(1);
        assertThat(usage.getString("rows[0].customer")).isEqualTo("fb");
        assertThat(usage.getString("rows[0].quantity")).isEqualTo("20000");
        assertThat(usage.getString("rows[0].periodStart")).isEqualTo(monthStart(-1));

        // bad input names its field; another tenant sees nothing of this one
        get(t, "/v1/finance/revenue?from=2026-13").statusCode(400).body("field", equalTo("from"));
        get(t, "/v1/finance/revenue?by=customer").statusCode(400).body("field", equalTo("by"));
        get(t, "/v1/finance/revenue?from=2020-01&to=2026-01").statusCode(400).body("field", equalTo("to"));
        get(t, "/v1/finance/revenue?from=2026-05&to=2026-04").statusCode(400).body("field", equalTo("to"));
        get(t, "/v1/finance/usage?customer=nobody").statusCode(404);
        Tenant other = tenant("Finance other");
        get(other, "/v1/finance/revenue").statusCode(200).body("rows.size()", equalTo(0));
        get(other, "/v1/finance/usage?meter=bandwidth").statusCode(200).body("rows.size()", equalTo(0));
    }

    private static String invoice(Tenant t, String customer) {
        return get(t, "/v1/invoices?customer=" + customer).statusCode(200).extract().path("invoices[0].invoiceId");
    }
}
