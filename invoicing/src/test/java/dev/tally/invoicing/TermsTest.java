package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.tenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * A plan's terms on real invoices: fixed fees prorated by seconds across a plan change, discounts for the first
 * periods, a minimum commitment trued up — and late usage that re-prices a closed period's discount and true-up
 * along with its usage line, so the period still adds up to its usage and terms priced once.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TermsTest extends BillingTest {

    private static void plan(Tenant t, String key, String fee, String extraTerms) {
        post(t, "/v1/plans?publish=true", """
                {"key":"%s","name":"%s","currency":"USD",
                 "charges":[{"meter":"bandwidth","description":"Bandwidth","price":{"model":"per_unit","unitPrice":"0.001"}}],
                 "terms":{"fixedFees":[{"key":"platform","description":"Platform <b>fee</b>","amount":"%s"}]%s}}""".formatted(key, key, fee,
                extraTerms)).statusCode(201);
    }

    @Test
    void discountsAndTheMinimumAreOnTheInvoiceAndLateUsageReadjustsThem() throws Exception {
        Tenant t = tenant("Committed");
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}").statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"bad","name":"Bad","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"1"}}],
                 "terms":{"minimumCommitment":"-1"}}""").statusCode(400);
        plan(t, "commit", "30.00", ",\"discounts\":[{\"name\":\"launch\",\"kind\":\"percent\",\"value\":\"10\",\"periods\":1}],"
                + "\"minimumCommitment\":\"50.00\"");
        String id = post(t, "/v1/customers", "{\"externalId\":\"c\",\"name\":\"c\",\"plan\":\"commit\",\"subscriptionStart\":\"" + monthStart(-2)
                + "\"}").statusCode(201).extract().path("customerId");
        BillingFixture f = fixture();
        f.usage(t, id, 1, monthStart(-2), monthStart(-1), "10000", monthStart(-1), monthStart(0), "30000", monthStart(0), monthStart(1), "5000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);

        JsonPath list = get(t, "/v1/invoices?customer=c").extract().jsonPath();
        // first period: 10.00 usage + 30.00 fee − 10 % launch (4.00) = 36.00, trued up by 14.00 to the 50.00 commitment
        assertThat(list.getString("invoices[1].total")).isEqualTo("50.00");
        assertThat(list.getList("invoices[1].terms.key")).containsExactly("fixed:commit.v1:platform", "discount:launch", "minimum:commitment");
        assertThat(list.getList("invoices[1].terms.amount")).containsExactly("30.00", "-4.00", "14.00");
        // second period: the launch discount is over and 60.00 is above the commitment
        assertThat(list.getString("invoices[0].total")).isEqualTo("60.00");
        assertThat(list.getList("invoices[0].terms.key")).containsExactly("fixed:commit.v1:platform");
        String first = list.getString("invoices[1].invoiceId");

        // 15,000 more bytes reach the first period: +15.00 usage, the discount grows by 1.50, the true-up falls by 13.50
        f.usage(t, id, 2, monthStart(-2), monthStart(-1), "25000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(monthStart(1)).plus(Duration.ofHours(1)), "watermark", Instant.now())).isEqualTo(1);
        JsonPath third = get(t, "/v1/invoices?customer=c&limit=1").extract().jsonPath();
        assertThat(third.getList("invoices[0].adjustments.meter")).containsExactly("bandwidth", "discount:launch", "minimum:commitment");
        assertThat(third.getList("invoices[0].adjustments.amount")).containsExactly("15.00", "-1.50", "-13.50");
        assertThat(third.getList("invoices[0].adjustments.invoiceId")).containsOnly(first);
        // the third period itself: 5.00 + 30.00 trued up to 50.00; the adjustments net to zero under the commitment
        assertThat(third.getString("invoices[0].total")).isEqualTo("50.00");
        get(t, "/v1/invoices/" + third.getString("invoices[0].invoiceId") + "/explain").statusCode(200)
                .body("terms.size()", equalTo(2)).body("adjustmentUsage[1]", Matchers.nullValue());

        // the first period over its live invoices: 50.00 + 0.00 = 25.00 + 30.00 − 5.50 + 0.50, priced once
        BigDecimal firstPeriod = BigDecimal.ZERO;
        for (Map<String, Object> inv : get(t, "/v1/invoices?customer=c").extract().jsonPath().<Map<String, Object>>getList("invoices")) {
            if (monthStart(-2).equals(inv.get("periodStart"))) {
                firstPeriod = firstPeriod.add(new BigDecimal((String) inv.get("total")));
            }
            for (Object a : (List<?>) inv.get("adjustments")) {
                if (monthStart(-2).equals(((Map<?, ?>) a).get("periodStart"))) {
                    firstPeriod = firstPeriod.add(new BigDecimal((String) ((Map<?, ?>) a).get("amount")));
                }
            }
        }
        assertThat(firstPeriod).isEqualByComparingTo("50.00");
        // printable: the same rows as HTML (tenant text escaped) and as PDF
        String invoiceId = third.getString("invoices[0].invoiceId");
        String html = RestAssured.given().header("Authorization", "Bearer " + t.key()).get("/v1/invoices/" + invoiceId
                + "/document.html").then().statusCode(200).contentType(Matchers.startsWith("text/html"))
                .header("Content-Security-Policy", Matchers.startsWith("default-src 'none'")).extract().asString();
        assertThat(html).contains(third.getString("invoices[0].number")).contains("Platform &lt;b&gt;fee&lt;/b&gt;").doesNotContain("<b>fee")
                .contains("Minimum commitment").contains("-13.50").contains("Balance due USD");
        byte[] pdf = RestAssured.given().header("Authorization", "Bearer " + t.key()).get("/v1/invoices/" + invoiceId
                + "/document.pdf").then().statusCode(200).contentType("application/pdf").extract().asByteArray();
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains(third.getString("invoices[0].number")).contains("Balance due USD").contains("-13.50").contains("50.00");
        }
        get(tenant("Other printed"), "/v1/invoices/" + invoiceId + "/document.pdf").statusCode(404);
        // and nothing is adjusted twice
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(monthStart(2)).plus(Duration.ofHours(1)), "watermark", Instant.now())).isEqualTo(1);
        get(t, "/v1/invoices?customer=c&limit=1").body("invoices[0].adjustments.size()", equalTo(0));
    }

    /** An upgrade in the middle of a period charges each plan's fixed fee for the seconds it was in force (on the draft). */
    @Test
    void aMidPeriodUpgradeProratesEachPlansFixedFeeBySeconds() throws Exception {
        Tenant t = tenant("Upgraded");
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}").statusCode(201);
        plan(t, "basic", "30.00", "");
        plan(t, "pro", "90.00", "");
        Instant start = Instant.parse(monthStart(1));
        Instant end = Instant.parse(monthStart(2));
        Instant middle = start.plus(Duration.between(start, end).dividedBy(2));
        post(t, "/v1/customers", "{\"externalId\":\"u\",\"name\":\"u\",\"plan\":\"basic\",\"subscriptionStart\":\"" + start + "\"}").statusCode(201);
        String sub = get(t, "/v1/subscriptions?customer=u").statusCode(200).extract().path("[0].subscriptionId");
        post(t, "/v1/subscriptions/" + sub + "/changes", "{\"plan\":\"pro\",\"effectiveAt\":\"" + middle + "\"}").statusCode(200);
        JsonPath draft = get(t, "/v1/customers/u/invoices/draft?at=" + start.plusSeconds(1)).statusCode(200).extract().jsonPath();
        assertThat(draft.getList("terms.key")).containsExactly("fixed:basic.v1:platform", "fixed:pro.v1:platform");
        assertThat(draft.getList("terms.amount")).containsExactly("15.00", "45.00");
        assertThat(draft.getString("subtotal")).isEqualTo("60.00");
        assertThat(draft.getString("terms[1].description")).contains("prorated by seconds");
    }
}
