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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coupons and subscription discounts on real invoices (issue 19): a code redeemable within its limit, applied to the
 * first N invoices after its redemption on what the plan's terms left, before tax — on the draft and the close; a void
 * gives its period back, so the reissue is discounted again.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CouponTest extends BillingTest {
    // periods after now: a coupon redeemed now applies to periods that end after it
    private static final String SEP = BillingFixture.monthStart(1);
    private static final String OCT = BillingFixture.monthStart(2);
    private static final String NOV = BillingFixture.monthStart(3);
    private static final String DEC = BillingFixture.monthStart(4);
    private static final String IN_SEP = Instant.parse(SEP).plusSeconds(9 * 86_400).toString();


    @Test
    void aCouponDiscountsItsFirstInvoicesAndAVoidGivesItsPeriodBack() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("coupons");
        List<String> ids = BillingFixture.setUp(t, SEP, "acme", "globex");

        // bad coupons are named and change nothing
        post(t, "/v1/coupons", "{\"code\":\"welcome\",\"name\":\"W\",\"kind\":\"percent\",\"value\":\"20\"}").statusCode(400)
                .body("field", equalTo("code"));
        post(t, "/v1/coupons", "{\"code\":\"HALF\",\"name\":\"H\",\"kind\":\"percent\",\"value\":\"150\"}").statusCode(400)
                .body("field", equalTo("value"));
        post(t, "/v1/coupons", "{\"code\":\"FIVE\",\"name\":\"F\",\"kind\":\"amount\",\"value\":\"5\"}").statusCode(400)
                .body("field", equalTo("currency"));
        assertThat(fixture.count("select count(*) from coupon where tenant_id = ?", t.id())).isZero();

        post(t, "/v1/coupons", """
                {"code":"WELCOME20","name":"Welcome","kind":"percent","value":"20","periods":2,"maxRedemptions":1}""").statusCode(201)
                .body("redemptions", equalTo(0));
        post(t, "/v1/coupons", "{\"code\":\"WELCOME20\",\"name\":\"again\",\"kind\":\"percent\",\"value\":\"5\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/coupon-exists"));
        post(t, "/v1/customers/acme/coupons", "{\"code\":\"WELCOME20\"}").statusCode(201).body("periods", equalTo(2));
        // its one redemption is taken; an unknown code is named
        post(t, "/v1/customers/globex/coupons", "{\"code\":\"WELCOME20\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/coupon-exhausted"));
        post(t, "/v1/customers/globex/coupons", "{\"code\":\"NOPE\"}").statusCode(400).body("type", equalTo("https://tally.dev/problems/unknown-coupon"));
        // globex gets a discount on its subscription instead: USD 1.50 off its first invoice
        String globexSub = get(t, "/v1/customers/globex/invoices/draft?at=" + IN_SEP).statusCode(200).extract().path("subscriptionId");
        post(t, "/v1/subscriptions/" + globexSub + "/discounts", "{\"name\":\"loyalty\",\"kind\":\"amount\",\"value\":\"1.505\",\"periods\":1}")
                .statusCode(400).body("field", equalTo("value"));
        post(t, "/v1/subscriptions/" + globexSub + "/discounts", "{\"name\":\"loyalty\",\"kind\":\"amount\",\"value\":\"1.50\",\"periods\":1}")
                .statusCode(201);

        fixture.usage(t, ids.get(0), 1, SEP, OCT, "10000");
        fixture.usage(t, ids.get(1), 1, SEP, OCT, "10000");
        JsonPath draft = get(t, "/v1/customers/acme/invoices/draft?at=" + IN_SEP).statusCode(200).extract().jsonPath();
        assertThat(draft.getString("terms[0].kind")).isEqualTo("coupon");
        assertThat(draft.getString("terms[0].description")).isEqualTo("coupon WELCOME20: 20 % of USD 10.00 = −USD 2.00");
        assertThat(draft.getString("total")).isEqualTo("8.00");
        get(t, "/v1/customers/globex/invoices/draft?at=" + IN_SEP).statusCode(200).body("total", equalTo("8.50"))
                .body("terms[0].description", equalTo("loyalty: amount off USD 1.5 = −USD 1.50"));

        assertThat(closer.closeTenantAt(t.id(), Instant.parse(OCT).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(2);
        assertThat(latest(t, "acme").getString("total")).isEqualTo("8.00");
        assertThat(latest(t, "globex").getString("total")).isEqualTo("8.50");
        get(t, "/v1/customers/acme/coupons").statusCode(200).body("redemptions[0].periodsUsed", equalTo(1));

        // October: the coupon's second invoice; globex's discount was for one
        fixture.usage(t, ids.get(0), 2, OCT, NOV, "10000");
        fixture.usage(t, ids.get(1), 2, OCT, NOV, "10000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(NOV).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(2);
        JsonPath october = latest(t, "acme");
        assertThat(october.getString("total")).isEqualTo("8.00");
        assertThat(latest(t, "globex").getString("total")).isEqualTo("10.00");
        get(t, "/v1/customers/acme/coupons").statusCode(200).body("redemptions[0].periodsUsed", equalTo(2));

        // voiding October gives its period back: the reissue is discounted again, and November is not
        post(t, "/v1/invoices/" + october.getString("invoiceId") + "/void", "{\"reason\":\"wrong address\"}").statusCode(200);
        get(t, "/v1/customers/acme/coupons").statusCode(200).body("redemptions[0].periodsUsed", equalTo(1));
        post(t, "/v1/invoices/" + october.getString("invoiceId") + "/reissue", "{}").statusCode(201).body("total", equalTo("8.00"));
        fixture.usage(t, ids.get(0), 3, NOV, DEC, "10000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(DEC).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(2);
        assertThat(latest(t, "acme").getString("total")).isEqualTo("10.00");
        assertThat(fixture.count("select count(*) from audit_log where tenant_id = ? and entity_type in ('coupon', 'coupon_redemption')", t.id()))
                .isEqualTo(3);
    }

    private static JsonPath latest(Tenant t, String customer) {
        return new JsonPath(get(t, "/v1/invoices?customer=" + customer + "&limit=1").statusCode(200).extract().jsonPath().prettify())
                .setRootPath("invoices[0]");
    }
}
