package dev.tally.rating;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.ApiKeys;
import dev.tally.platform.security.PortalTokens;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The tenant's usage trend ({@code GET /v1/usage/daily}): each meter's usage per day summed over the customers — equal,
 * day by day, to the sum of each customer's own usage API — the customers with the most, and for a meter that does not
 * add up over customers (MAX) events and customers only. Scoped to the caller's tenant; not readable by a portal session.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class UsageTrendTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;

    @Test
    void aMetersDailyUsageOverAllCustomersIsTheSumOfEachCustomersAndListsTheLargest() throws Exception {
        String tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        ApiKeys.NewKey read = ApiKeys.generate();
        List<CatalogRecordV1> records = new ArrayList<>(List.of(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenant, read.keyId(), read.sha256(), "read",
                false)), CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "bytes", "bandwidth", "SUM", "bytes")),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "peak", "bandwidth", "MAX", "bytes"))));
        List<String> customers = List.of("big", "mid", "small");
        for (String c : customers) {
            records.add(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, "cus_" + c, c, "USD", null)));
            records.add(CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenant, new Subscription("s_" + c, "cus_" + c,
                    Instant.parse("2026-11-01T00:00:00Z"), null, BillingCycle.monthly(1), null, List.of(new Subscription.Phase(
                    Instant.parse("2026-11-01T00:00:00Z"), "p", 1, Subscription.Reason.START, null))))));
        }
        publish(records);
        // big: 3 events a day on 11-03 and 11-04; mid: 2 on 11-03; small: 1 on 11-04 (bytes 1000.5 × position)
        int n = 0;
        for (String c : customers) {
            int count = c.equals("big") ? 3 : c.equals("mid") ? 2 : 1;
            List<AcceptedEventV1> events = new ArrayList<>();
            for (String day : c.equals("mid") ? List.of("03") : c.equals("small") ? List.of("04") : List.of("03", "04")) {
                for (int i = 1; i <= count; i++) {
                    events.add(new AcceptedEventV1(tenant, "cus_" + c, c, "e" + n++, "bandwidth", Instant.parse("2026-11-" + day + "T10:00:00Z"),
                            Map.of("bytes", new BigDecimal("1000.5").multiply(BigDecimal.valueOf(i)).toPlainString()), Instant.now(), "customer"));
                }
            }
            send(tenant, "cus_" + c, events);
        }
        JsonPath trend = awaitTrend(read.key(), 9);
        assertThat(trend.getList("meters.meter", String.class)).containsExactly("bytes", "peak");
        // 11-03: big 1000.5+2001+3001.5 = 6003, mid 1000.5+2001 = 3001.5; 11-04: big 6003, small 1000.5
        assertThat(trend.getString("meters[0].days.find { it.day == '2026-11-03' }.quantity")).isEqualTo("9004.5");
        assertThat(trend.getInt("meters[0].days.find { it.day == '2026-11-03' }.customers")).isEqualTo(2);
        assertThat(trend.getString("meters[0].days.find { it.day == '2026-11-04' }.quantity")).isEqualTo("7003.5");
        assertThat(trend.getString("meters[0].days.find { it.day == '2026-11-05' }.quantity")).isEqualTo("0");
        assertThat(trend.getList("meters[0].days")).hasSize(10);
        assertThat(trend.getString("meters[0].quantity")).isEqualTo("16008");
        // each day equals the sum of the customers' own usage (the per-customer API)
        for (String day : List.of("2026-11-03", "2026-11-04")) {
            BigDecimal sum = BigDecimal.ZERO;
            for (String c : customers) {
                sum = sum.add(new BigDecimal(given().header("Authorization", "Bearer " + read.key()).queryParam("from", "2026-11-01").queryParam("to",
                        "2026-11-11").queryParam("meter", "bytes").get("/v1/customers/" + c + "/usage").then().statusCode(200).extract().jsonPath()
                        .getString("meters[0].days.find { it.day == '" + day + "' }.quantity")));
            }
            assertThat(new BigDecimal(trend.getString("meters[0].days.find { it.day == '" + day + "' }.quantity"))).isEqualByComparingTo(sum);
        }
        assertThat(trend.getList("meters[0].topCustomers.externalId", String.class)).containsExactly("big", "mid", "small");
        assertThat(trend.getString("meters[0].topCustomers[0].quantity")).isEqualTo("12006");
        // MAX does not add up over customers: no quantity, events and customers only, the top by events
        assertThat(trend.getBoolean("meters[1].additive")).isFalse();
        assertThat(trend.getString("meters[1].quantity")).isNull();
        assertThat(trend.getString("meters[1].days.find { it.day == '2026-11-03' }.quantity")).isNull();
        assertThat(trend.getLong("meters[1].days.find { it.day == '2026-11-03' }.eventCount")).isEqualTo(5);
        assertThat(trend.getList("meters[1].topCustomers.externalId", String.class)).containsExactly("big", "mid", "small");

        // one meter, the top two; the errors name their field; a portal session of one customer reads none of this
        JsonPath one = given().header("Authorization", "Bearer " + read.key()).queryParam("from", "2026-11-01").queryParam("to", "2026-11-11")
                .queryParam("meter", "bytes").queryParam("top", 2).get("/v1/usage/daily").then().statusCode(200).extract().jsonPath();
        assertThat(one.getList("meters")).hasSize(1);
        assertThat(one.getList("meters[0].topCustomers.externalId", String.class)).containsExactly("big", "mid");
        given().header("Authorization", "Bearer " + read.key()).queryParam("meter", "nope").get("/v1/usage/daily").then().statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + read.key()).queryParam("from", "2026-11-05").queryParam("to", "2026-11-01")
                .get("/v1/usage/daily").then().statusCode(400).body("field", equalTo("to"));
        given().header("Authorization", "Bearer " + read.key()).queryParam("top", 1000).get("/v1/usage/daily").then().statusCode(400)
                .body("field", equalTo("top"));
        given().get("/v1/usage/daily").then().statusCode(401);
        String portal = PortalTokens.issue("test-portal-secret-not-for-production", new PortalTokens.Claims("ps_t", tenant, "cus_big", "big",
                List.of("usage"), Instant.now().plusSeconds(900).getEpochSecond(), "en"));
        given().header("Authorization", "Bearer " + portal).get("/v1/usage/daily").then().statusCode(404);
    }

    @Test
    void anotherTenantSeesNoneOfIt() throws Exception {
        String tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        ApiKeys.NewKey read = ApiKeys.generate();
        publish(List.of(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenant, read.keyId(), read.sha256(), "read", false)),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "bytes", "bandwidth", "SUM", "bytes"))));
        JsonPath trend = given().header("Authorization", "Bearer " + read.key()).queryParam("from", "2026-11-01").queryParam("to", "2026-11-11")
                .get("/v1/usage/daily").then().statusCode(200).extract().jsonPath();
        assertThat(trend.getString("meters[0].quantity")).isEqualTo("0");
        assertThat(trend.getList("meters[0].topCustomers")).isEmpty();
    }

    private JsonPath awaitTrend(String key, long events) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonPath t = given().header("Authorization", "Bearer " + key).queryParam("from", "2026-11-01").queryParam("to", "2026-11-11")
                    .get("/v1/usage/daily").then().statusCode(200).extract().jsonPath();
            if (t.getLong("meters[0].eventCount") >= events && t.getLong("meters[1].eventCount") >= events) {
                return t;
            }
            assertThat(System.nanoTime()).as("the trend holds every event: " + t.prettify()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private void publish(List<CatalogRecordV1> records) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (CatalogRecordV1 r : records) {
                p.send(new ProducerRecord<>(Topics.CATALOG, r.key(), json.writeValueAsString(r))).get();
            }
        }
        assertThat(catalog.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    /** The events as ingest's relay publishes them: one outbox row's worth, keyed by tenant and customer. */
    private void send(String tenant, String customerId, List<AcceptedEventV1> events) throws Exception {
        long row = System.nanoTime();
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            for (int i = 0; i < events.size(); i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, tenant + "/" + customerId,
                        json.writeValueAsString(events.get(i)));
                r.headers().add(Headers.OUTBOX_ID, Long.toString(row).getBytes(StandardCharsets.UTF_8))
                        .add(Headers.POSITION, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                        .add(Headers.SCHEMA, AcceptedEventV1.SCHEMA.getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        }
    }
}
