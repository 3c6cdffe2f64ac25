package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.intake.RawIntake;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.DeadLetterV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The Kafka door: same triage and dedup as HTTP, dead letters with reasons, exactly once across a restart. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class RawIntakeTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;
    @Inject
    RawIntake intake;

    /** Ids carry the tenant, so every letter about this test's records (even those without a valid key) can be found. */
    private String tenant;

    private String event(String id, String customer, String timestamp) {
        return "{\"id\":\"" + tenant + "-%s\",\"type\":\"bandwidth\",\"customer\":\"%s\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":10}}"
                .formatted(id, customer, timestamp);
    }

    private static void send(Producer<String, String> p, String tenant, String apiKey, String value) throws Exception {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_RAW, tenant, value);
        if (apiKey != null) {
            r.headers().add(Headers.API_KEY, apiKey.getBytes(StandardCharsets.UTF_8));
        }
        p.send(r).get();
    }

    @Test
    void rawRecordsAreTriagedDeduplicatedAndDeadLetteredExactlyOnceAcrossARestart() throws Exception {
        IngestTestSupport.Fixture f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        tenant = f.tenantId();
        String now = Instant.now().toString();
        try (Producer<String, String> p = kafka.producer("test-sender")) {
            send(p, f.tenantId(), f.key(), event("k1", "acme", now));
            send(p, f.tenantId(), f.key(), event("k2", "acme", now));
            send(p, f.tenantId(), f.key(), event("k1", "acme", now));             // a re-send
            send(p, f.tenantId(), f.key(), event("k3", "acme", "yesterday"));     // invalid: dead letter
            send(p, f.tenantId(), f.key(), event("k4", "nobody", now));           // no such customer: quarantine
            send(p, f.tenantId(), null, event("k5", "acme", now));                // no key: dead letter
            send(p, f.tenantId(), "tly_nope_nope", event("k6", "acme", now));     // unknown key: dead letter
            send(p, f.tenantId(), f.key(), "not json " + tenant);                 // dead letter
        }
        await(() -> deadLetters(f.tenantId()).size() >= 4 && accepted(f.tenantId()).size() >= 2, "raw records applied");
        Thread.sleep(1000);
        assertThat(accepted(f.tenantId())).extracting(AcceptedEventV1::eventId).containsExactlyInAnyOrder(tenant + "-k1", tenant + "-k2");
        assertThat(deadLetters(f.tenantId())).extracting(DeadLetterV1::code)
                .containsExactlyInAnyOrder("invalid_timestamp", "malformed_json", "unauthorized", "unauthorized");
        assertThat(deadLetters(f.tenantId())).filteredOn(d -> d.code().equals("invalid_timestamp")).first()
                .satisfies(d -> assertThat(d.value()).contains(tenant + "-k3").contains("yesterday"));
        assertThat(deadLetters(f.tenantId())).filteredOn(d -> d.code().equals("unauthorized")).allSatisfy(d -> assertThat(d.tenantId()).isNull());
        assertThat(count("select count(*) from quarantine where tenant_id = ? and event_id like '%-k4'", f.tenantId())).isEqualTo(1);

        // restart: positions come from Postgres, so nothing is applied twice — not even a dead letter
        intake.stop();
        try (Producer<String, String> p = kafka.producer("test-sender")) {
            send(p, f.tenantId(), f.key(), event("k1", "acme", now));
            send(p, f.tenantId(), f.key(), event("k7", "acme", now));
        }
        intake.start();
        await(() -> accepted(f.tenantId()).size() >= 3, "k7 applied after the restart");
        Thread.sleep(1000);
        assertThat(accepted(f.tenantId())).extracting(AcceptedEventV1::eventId)
                .containsExactlyInAnyOrder(tenant + "-k1", tenant + "-k2", tenant + "-k7");
        assertThat(deadLetters(f.tenantId())).hasSize(4);
        // the tenant's own dead letters (its key's: not the two with no or an unknown key) are listed for it, newest first
        JsonPath listed = given().header("Authorization", "Bearer " + f.key())
                .get("/v1/dead-letters").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getInt("total")).isEqualTo(2);
        assertThat(listed.getList("deadLetters.code")).containsExactly("malformed_json", "invalid_timestamp");
        assertThat(listed.getString("deadLetters[0].value")).isEqualTo("not json " + tenant);
    }

    private List<AcceptedEventV1> accepted(String tenant) {
        List<AcceptedEventV1> out = new ArrayList<>();
        for (String p : payloads(Topics.EVENTS_ACCEPTED, tenant)) {
            try {
                out.add(json.readValue(p, AcceptedEventV1.class));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private List<DeadLetterV1> deadLetters(String tenant) {
        List<DeadLetterV1> out = new ArrayList<>();
        for (String p : payloads(Topics.EVENTS_DEAD, tenant)) {
            try {
                out.add(json.readValue(p, DeadLetterV1.class));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private List<String> payloads(String topic, String containing) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select p from outbox, unnest(payloads) as u(p) where topic = ? and p like ? order by id")) {
            ps.setString(1, topic);
            ps.setString(2, "%" + containing + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private long count(String sql, String tenant) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder state = new StringBuilder();
                try (Connection c = dataSource.getConnection(); var rs = c.createStatement().executeQuery(
                        "select topic || ':' || kafka_partition || '=' || next_offset from intake_offset")) {
                    while (rs.next()) {
                        state.append(rs.getString(1)).append(' ');
                    }
                }
                throw new AssertionError("timed out waiting for " + what + "; consumed " + intake.consumed() + ", offsets " + state);
            }
            Thread.sleep(100);
        }
    }
}
