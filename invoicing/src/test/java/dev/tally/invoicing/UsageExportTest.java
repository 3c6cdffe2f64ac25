package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.payment.ProviderJobKind;
import dev.tally.invoicing.payment.ProviderJobStatus;
import dev.tally.invoicing.payment.ProviderJobs;
import dev.tally.invoicing.payment.UsageExport;
import dev.tally.invoicing.payment.stripe.StripeStub;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Usage export to Stripe Billing meters against real Postgres and Kafka and the local Stripe stub: what Stripe sums
 * for a customer's meter equals Tally's usage (whole part), through a retraction, a lost answer after Stripe acted
 * and new usage arriving before the retry, and re-published old snapshots.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StripeStubResource.class, restrictToAnnotatedClass = false)
class UsageExportTest extends BillingTest {
    private static final String EVENT = "tally_bandwidth_ux";

    @Inject
    ProviderJobs jobs;

    private static ValidatableResponse put(Tenant t, String path, String body) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).put(path).then();
    }

    @Test
    void stripeSumsExactlyTallysUsageThroughRetractionsLostAnswersAndRepublishedSnapshots() throws Exception {
        StripeStub stripe = StripeStubResource.stub;
        Tenant t = tenant("Exported");
        String customer = setUp(t, monthStart(-1), "ux").get(0);

        // refused, each saying why, and nothing configured
        put(t, "/v1/usage-export/meters/bandwidth", "{\"stripeEventName\":\"" + EVENT + "\"}").statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("https://tally.dev/problems/provider-not-stripe"));
        put(t, "/v1/payment-provider", "{\"provider\":\"stripe\",\"apiKey\":\"" + StripeStubResource.API_KEY + "\",\"webhookSecret\":\"whsec_ux\"}")
                .statusCode(200);
        put(t, "/v1/usage-export/meters/bandwidth", "{\"stripeEventName\":\"has spaces\"}").statusCode(400).body("field", equalTo("stripeEventName"));
        put(t, "/v1/usage-export/meters/nope", "{\"stripeEventName\":\"" + EVENT + "\"}").statusCode(404);
        get(t, "/v1/usage-export").statusCode(200).body("meters.size()", equalTo(0));

        put(t, "/v1/usage-export/meters/bandwidth", "{\"stripeEventName\":\"" + EVENT + "\"}").statusCode(200)
                .body("stripeEventName", equalTo(EVENT));
        String ref = customer + "|bandwidth|" + monthStart(0);

        // 1,500.7 → Stripe holds 1,500 (whole numbers only); then 2,300 → +800
        fixture().usage(t, customer, 1, monthStart(0), monthStart(1), "1500.7");
        assertThat(jobs.state(t.id(), ProviderJobKind.EXPORT_USAGE, ref).status()).as("armed where the snapshot was stored")
                .isEqualTo(ProviderJobStatus.PENDING);
        jobs.runOnce();
        String stripeCustomer = stripeCustomer(t);
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).isEqualTo(1500);
        fixture().usage(t, customer, 2, monthStart(0), monthStart(1), "2300");
        jobs.runOnce();
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).isEqualTo(2300);

        // a retraction (2,300 → 2,000) is sent, Stripe acts, and its answer is lost; more usage (2,600) arrives before the
        // retry. The retry sends the same event again (Stripe replays it), then only the rest: never −300 twice.
        fixture().usage(t, customer, 3, monthStart(0), monthStart(1), "2000");
        stripe.dropAfterActing(1, r -> r.path().equals("/v1/billing/meter_events"));
        jobs.runOnce();
        assertThat(jobs.state(t.id(), ProviderJobKind.EXPORT_USAGE, ref).status()).isEqualTo(ProviderJobStatus.PENDING);
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).as("Stripe acted on the lost answer's call").isEqualTo(2000);
        fixture().usage(t, customer, 4, monthStart(0), monthStart(1), "2600");
        jobs.dueNow(t.id());
        jobs.runOnce();
        assertThat(jobs.state(t.id(), ProviderJobKind.EXPORT_USAGE, ref).status()).isEqualTo(ProviderJobStatus.DONE);
        List<JsonNode> events = stripe.meterEvents().stream()
                .filter(e -> e.path("payload").path("stripe_customer_id").asText().equals(stripeCustomer)).toList();
        assertThat(events).extracting(e -> e.path("payload").path("value").asText()).containsExactly("1500", "800", "-300", "600");
        assertThat(events).extracting(e -> e.path("identifier").asText()).doesNotHaveDuplicates();
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).isEqualTo(2600);

        // an older snapshot re-published (a redelivery) changes nothing; nor does running the job again. (The marker after it,
        // on the same partition, shows it was consumed; its period has no usage, so it sends nothing either.)
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            RatedUsageV1 old = new RatedUsageV1(t.id(), customer, "bandwidth", Instant.parse(monthStart(0)), Instant.parse(monthStart(1)),
                    new BigDecimal("2300"), 5, 2, Instant.now(), Map.of());
            p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customer, json.writeValueAsString(old))).get();
        }
        fixture().usage(t, customer, 7, monthStart(-1), monthStart(0), "0");
        jobs.dueNow(t.id());
        jobs.runOnce();
        jobs.runOnce();
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).isEqualTo(2600);
        assertThat(stripe.meterEvents().stream().filter(e -> e.path("payload").path("stripe_customer_id").asText().equals(stripeCustomer)))
                .hasSize(4);

        // what the API shows, for this tenant only
        get(t, "/v1/usage-export").statusCode(200).body("meters[0].meterKey", equalTo("bandwidth"))
                .body("exported[0].usage", equalTo("2600")).body("exported[0].exported", equalTo("2600")).body("exported[0].eventsSent", equalTo(4))
                .body("exported[0].status", equalTo("done"));
        Tenant other = tenant("Not exported");
        get(other, "/v1/usage-export").statusCode(200).body("meters.size()", equalTo(0)).body("exported.size()", equalTo(0));
        given().header("Authorization", "Bearer " + other.key()).delete("/v1/usage-export/meters/bandwidth").then().statusCode(404);

        // stopped: new usage arms nothing and sends nothing
        given().header("Authorization", "Bearer " + t.key()).delete("/v1/usage-export/meters/bandwidth").then().statusCode(204);
        fixture().usage(t, customer, 5, monthStart(0), monthStart(1), "9000");
        jobs.dueNow(t.id());
        jobs.runOnce();
        assertThat(stripe.meterSum(EVENT, stripeCustomer)).isEqualTo(2600);
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'usage_export'", t.id())).isEqualTo(2);
    }

    @Test
    void theExportableQuantityIsTheWholePart() {
        assertThat(UsageExport.exportable(new BigDecimal("1500.999"))).isEqualByComparingTo("1500");
        assertThat(UsageExport.exportable(new BigDecimal("-2.5"))).isEqualByComparingTo("-2");
        assertThat(UsageExport.exportable(new BigDecimal("7"))).isEqualByComparingTo("7");
    }

    private String stripeCustomer(Tenant t) throws Exception {
        try (var c = dataSource.getConnection(); var ps = c.prepareStatement(
                "select provider_id from provider_ref where tenant_id = ? and kind = 'customer'")) {
            ps.setString(1, t.id());
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the customer was created at Stripe").isTrue();
                return rs.getString(1);
            }
        }
    }
}
