package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.ApiKeys;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes at ingest (issue 21): a customer or key published to the catalog a moment ago — the event sent the
 * instant the catalog write was answered, before ingest's view has read it — is known: the first event that finds no
 * customer, or a key that is unknown, waits until the view has read the topic's end. Never quarantined, never refused.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ReadYourWritesTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;

    @Test
    void aCustomerCreatedAMomentAgoIsNeverQuarantined200TimesInARow() throws Exception {
        IngestTestSupport.Fixture f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        int quarantined = 0;
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (int i = 0; i < 200; i++) {
                CatalogRecordV1 c = CatalogRecordV1.of(new CatalogRecordV1.Customer(f.tenantId(), "c_rw" + i, "signup-" + i, "USD", null));
                p.send(new ProducerRecord<>(Topics.CATALOG, c.key(), json.writeValueAsString(c))).get(); // published: the write answered
                quarantined += send(f.key(), "[{\"id\":\"rw-" + i + "\",\"type\":\"signup\",\"customer\":\"signup-" + i
                        + "\",\"timestamp\":\"" + Instant.now() + "\",\"properties\":{}}]").getInt("rejected");
            }
        }
        assertThat(quarantined).as("events of a customer created the moment before, quarantined").isZero();
    }

    /** Posts events; a 429 (the test profile allows 20 requests a second per key) is waited out and sent again. */
    private static JsonPath send(String key, String body) throws InterruptedException {
        while (true) {
            Response r = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body).post("/v1/events");
            if (r.statusCode() != 429) {
                return r.then().statusCode(200).extract().jsonPath();
            }
            Thread.sleep(1000L * Long.parseLong(r.header("Retry-After")));
        }
    }

    @Test
    void aKeyCreatedAMomentAgoIsNeverRefused50TimesInARow() throws Exception {
        IngestTestSupport.Fixture f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        int refused = 0;
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (int i = 0; i < 50; i++) {
                ApiKeys.NewKey key = ApiKeys.generate();
                CatalogRecordV1 k = CatalogRecordV1.of(new CatalogRecordV1.ApiKey(f.tenantId(), key.keyId(), key.sha256(), "ingest", false));
                p.send(new ProducerRecord<>(Topics.CATALOG, k.key(), json.writeValueAsString(k))).get();
                int status = given().header("Authorization", "Bearer " + key.key()).contentType(ContentType.JSON)
                        .body("[{\"id\":\"rk-" + i + "\",\"type\":\"signup\",\"customer\":\"acme\",\"properties\":{}}]").post("/v1/events")
                        .statusCode();
                refused += status == 200 ? 0 : 1;
            }
        }
        assertThat(refused).as("requests with a key created the moment before, refused").isZero();
        // and a key that does not exist is still refused (after the view has read the topic's end)
        given().header("Authorization", "Bearer " + ApiKeys.generate().key()).contentType(ContentType.JSON).body("[]").post("/v1/events")
                .then().statusCode(401);
    }
}
