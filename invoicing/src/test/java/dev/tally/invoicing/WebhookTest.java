package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.WebhookSignature;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alerts from tally.alerts reach a tenant's endpoint signed, retried after a failure, and once per alert. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class WebhookTest {
    private static final String OPERATOR = "test-operator-token";

    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;

    record Received(String signature, String eventId, String idempotencyKey, String body) {
    }

    HttpServer receiver;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failFirst = new AtomicInteger(1);

    @BeforeEach
    void receiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), ex.getRequestHeaders().getFirst("Tally-Event-Id"),
                    ex.getRequestHeaders().getFirst("Idempotency-Key"), body));
            int status = failFirst.getAndDecrement() > 0 ? 500 : 204;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private static JsonPath tenant() {
        return given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"name\":\"W\"}")
                .post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
    }

    private static String tenantKey() {
        return tenant().getString("apiKey.key");
    }

    @Test
    void anAlertIsDeliveredSignedRetriedAfterA500AndOnlyOnce() throws Exception {
        JsonPath tenant = tenant();
        String key = tenant.getString("apiKey.key");
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        JsonPath created = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"url\":\"" + url + "\"}").post("/v1/webhooks").then().statusCode(201).extract().jsonPath();
        String secret = created.getString("secret");
        assertThat(secret).startsWith("whsec_");
        String tenantId = tenant.getString("tenantId");
        given().header("Authorization", "Bearer " + key).get("/v1/webhooks").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].secret", Matchers.nullValue());

        // an alert nobody can read goes aside; the next one is still delivered
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            p.send(new ProducerRecord<>(Topics.ALERTS, tenantId + "/c_1", "{\"tenantId\":\"" + tenantId + "\", broken")).get();
        }
        AlertV1 alert = new AlertV1(tenantId + "/c_1/requests/2026-11-01T00:00:00Z/80", tenantId, "c_1", "requests",
                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), 80, new BigDecimal("1000"),
                new BigDecimal("812"), true, false, Instant.now());
        send(alert);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.size() < 2) {
            assertThat(System.nanoTime()).as("delivered after one retry").isLessThan(deadline);
            Thread.sleep(50);
        }
        long now = Instant.now().getEpochSecond();
        for (Received r : received) {
            assertThat(WebhookSignature.verify(secret, r.signature(), r.body(), now, 300)).as("signature").isTrue();
            assertThat(WebhookSignature.verify("whsec_other", r.signature(), r.body(), now, 300)).isFalse();
            assertThat(r.eventId()).isEqualTo(alert.alertId());
            assertThat(r.idempotencyKey()).isEqualTo(alert.alertId());
        }
        JsonNode body = json.readTree(received.get(1).body());
        assertThat(body.path("type").asText()).isEqualTo("alert.threshold_crossed");
        assertThat(body.path("data").path("percent").asInt()).isEqualTo(80);
        assertThat(body.path("data").path("quantity").asText()).isEqualTo("812");
        JsonPath deliveries = given().header("Authorization", "Bearer " + key).get("/v1/webhooks/deliveries").then().statusCode(200)
                .extract().jsonPath();
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"delivered".equals(deliveries.getString("[0].status"))) {
            assertThat(System.nanoTime()).as("delivery recorded").isLessThan(deadline);
            Thread.sleep(50);
            deliveries = given().header("Authorization", "Bearer " + key).get("/v1/webhooks/deliveries").then().extract().jsonPath();
        }
        assertThat(deliveries.getInt("[0].attempts")).isEqualTo(2);
        assertThat(deliveries.getList("$")).hasSize(1);

        // the same alert consumed again (a redelivery) adds nothing
        send(alert);
        Thread.sleep(2500);
        assertThat(received).hasSize(2);
        given().header("Authorization", "Bearer " + key).get("/v1/webhooks/deliveries").then().body("size()", equalTo(1));

        // another tenant sees none of it
        String other = tenantKey();
        given().header("Authorization", "Bearer " + other).get("/v1/webhooks").then().body("size()", equalTo(0));
        given().header("Authorization", "Bearer " + other).get("/v1/webhooks/deliveries").then().body("size()", equalTo(0));
        given().header("Authorization", "Bearer " + other).delete("/v1/webhooks/" + created.getString("endpointId")).then().statusCode(404);
    }

    @Test
    void badEndpointsAreRefused() {
        String key = tenantKey();
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body("{\"url\":\"not a url\"}").post("/v1/webhooks")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("url"));
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body("{\"url\":\"ftp://x.example/h\"}")
                .post("/v1/webhooks").then().statusCode(400).body("field", equalTo("url"));
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"url\":\"https://x.example/h\",\"eventTypes\":[\"invoice.bogus\"]}").post("/v1/webhooks")
                .then().statusCode(400).body("field", equalTo("eventTypes"));
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body("{}").post("/v1/webhooks")
                .then().statusCode(400).body("field", equalTo("url"));
    }

    private void send(AlertV1 alert) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            p.send(new ProducerRecord<>(Topics.ALERTS, alert.tenantId() + "/" + alert.customerId(), json.writeValueAsString(alert))).get();
        }
    }
}
