package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.store.AcceptanceMarkers;
import dev.tally.ingest.store.KeyExpiry;
import dev.tally.model.attribution.Aliases;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.FilterSpec;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.testing.LocalStackResource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class EventsResourceTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;
    @Inject
    InMemorySpanExporter spans;

    IngestTestSupport.Fixture f;

    @BeforeEach
    void tenant() throws Exception {
        f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        spans.reset();
    }

    private String event(String id, String customer, String timestamp, String bytes) {
        return """
                {"id":"%s","type":"bandwidth","customer":"%s","timestamp":"%s","properties":{"bytes":%s,"region":"eu"}}"""
                .formatted(id, customer, timestamp, bytes);
    }

    /**
     * Concurrent requests that share event ids (a client retrying while its first attempt is still in
     * flight) must neither deadlock nor double count: exactly one of them accepts each id.
     */
    @Test
    void concurrentRequestsSharingIdsAcceptEachIdExactlyOnce() throws Exception {
        String now = Instant.now().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add("race-" + i);
        }
        int requests = 8;
        var pool = Executors.newFixedThreadPool(requests);
        List<Future<int[]>> answers = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            List<String> mine = new ArrayList<>(ids);
            Collections.shuffle(mine, new Random(r));
            String body = "{\"events\":[" + mine.stream().map(id -> event(id, "acme", now, "1")).collect(Collectors.joining(",")) + "]}";
            answers.add(pool.submit(() -> {
                var res = given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                        .then().statusCode(200).extract().jsonPath();
                return new int[] {res.getInt("accepted"), res.getInt("duplicates")};
            }));
        }
        int accepted = 0;
        int duplicates = 0;
        for (var a : answers) {
            int[] counts = a.get();
            accepted += counts[0];
            duplicates += counts[1];
        }
        pool.shutdown();
        assertThat(accepted).isEqualTo(ids.size());
        assertThat(duplicates).isEqualTo(ids.size() * (requests - 1));
    }

    @Test
    void aBareArrayGzipAndAnAbsentTimestampAreAccepted() throws Exception {
        String array = "[" + event("arr-1", "acme", Instant.now().toString(), "5") + ","
                + "{\"id\":\"arr-2\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"properties\":{\"bytes\":7}}]";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(array).post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(2));
        var gz = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gz)) {
            out.write(("{\"events\":[" + event("gz-1", "acme", Instant.now().toString(), "9") + "]}").getBytes(StandardCharsets.UTF_8));
        }
        given().header("Authorization", "Bearer " + f.key()).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body(gz.toByteArray()).post("/v1/events").then().statusCode(200).body("accepted", equalTo(1));
        // broken gzip, a gzip bomb and an unknown encoding: problem+json, nothing stored
        given().header("Authorization", "Bearer " + f.key()).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body("{\"events\":[]}").post("/v1/events").then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/body-not-gzip"));
        var bomb = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 32; i++) {
                out.write(zeros);
            }
        }
        given().header("Authorization", "Bearer " + f.key()).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body(bomb.toByteArray()).post("/v1/events").then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/body-too-large"));
        given().header("Authorization", "Bearer " + f.key()).header("Content-Encoding", "br").contentType(ContentType.JSON)
                .body("{}").post("/v1/events").then().statusCode(415).contentType("application/problem+json");
        // a retry days later with another timestamp is still the same event
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("arr-1", "acme", Instant.now().minus(Duration.ofDays(3)).toString(), "5") + "]").post("/v1/events")
                .then().statusCode(200).body("duplicates", equalTo(1));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("old-1", "acme", Instant.now().minus(Duration.ofDays(36)).toString(), "5") + "]").post("/v1/events")
                .then().statusCode(400).body("errors[0].code", equalTo("too_late")).body("errors[0].field", equalTo("events[0].timestamp"));
    }

    @Test
    void cloudEventsSingleAndBatchMapToTheSameOutcomes() throws Exception {
        String now = Instant.now().toString();
        String one = """
                {"specversion":"1.0","id":"ce-1","source":"//gateway/eu-1","type":"bandwidth","subject":"acme","time":"%s",
                 "datacontenttype":"application/json","data":{"bytes":1024,"region":"eu"}}""".formatted(now);
        given().header("Authorization", "Bearer " + f.key()).contentType("application/cloudevents+json").body(one.getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(200).body("accepted", equalTo(1));
        String batch = "[" + one + "," + one.replace("ce-1", "ce-2").replace("\"1.0\"", "\"0.3\"") + ","
                + one.replace("ce-1", "ce-3").replace("\"subject\":\"acme\"", "\"customer\":\"acme\"") + "]";
        given().header("Authorization", "Bearer " + f.key()).contentType("application/cloudevents-batch+json")
                .body(batch.getBytes(StandardCharsets.UTF_8)).post("/v1/events").then().statusCode(200)
                .body("results.outcome", equalTo(List.of("duplicate", "rejected", "accepted")))
                .body("results[1].field", equalTo("specversion"));
        AcceptedEventV1 ce3 = outboxEvents().stream().filter(e -> e.eventId().equals("ce-3")).findFirst().orElseThrow();
        assertThat(ce3.customerId()).isEqualTo(f.customerId());
        assertThat(ce3.properties().get("bytes")).isEqualTo("1024");
    }

    /**
     * Events are read strictly: an event with a field Tally does not know (a typo such as {@code timestmp} would
     * otherwise bill at the time of receipt) is rejected alone, naming the field, and its neighbours are accepted;
     * a duplicate key (which value counts?) or an unknown top-level field fails the request, storing nothing; text
     * with control characters or an unpaired surrogate in a customer or a property is that event's rejection.
     */
    @Test
    void unknownFieldsDuplicateKeysAndUnprintableTextAreRefused() throws Exception {
        String now = Instant.now().toString();
        String typo = "{\"id\":\"strict-2\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"timestmp\":\"" + now + "\",\"properties\":{\"bytes\":1}}";
        String nulText = event("strict-4", "acme", now, "1").replace("\"region\":\"eu\"", "\"region\":\"e\\u0000u\"");
        String loneCustomer = event("strict-5", "ac\\ud800me", now, "1");
        String notAnEvent = "42";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("strict-1", "acme", now, "1") + "," + typo + "," + event("strict-3", "acme", now, "2") + "," + nulText + ","
                        + loneCustomer + "," + notAnEvent + "]")
                .post("/v1/events").then().statusCode(200)
                .body("accepted", equalTo(2))
                .body("results.outcome", equalTo(List.of("accepted", "rejected", "accepted", "rejected", "rejected", "rejected")))
                .body("results[1].code", equalTo("unknown_field")).body("results[1].field", equalTo("timestmp"))
                .body("results[1].id", equalTo("strict-2"))
                .body("results[3].code", equalTo("invalid_property")).body("results[3].field", equalTo("properties.region"))
                .body("results[4].code", equalTo("invalid_customer"))
                .body("results[5].code", equalTo("invalid_event"));
        assertThat(storedIds()).contains("strict-1", "strict-3").doesNotContain("strict-2", "strict-4", "strict-5");
        // operators see rejections per code, even when a sender reads only the 200
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("tally_ingest_events_total{code=\"unknown_field\",outcome=\"rejected\"}"));

        String duplicateKey = "{\"events\":[{\"id\":\"strict-6\",\"id\":\"strict-7\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"properties\":{\"bytes\":1}}]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(duplicateKey).post("/v1/events").then()
                .statusCode(400).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("{\"events\":[" + event("strict-8", "acme", now, "1") + "],\"batch\":\"x\"}").post("/v1/events").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("batch"));
        assertThat(storedIds()).doesNotContain("strict-6", "strict-7", "strict-8");
    }

    @Test
    void wholeRequestProblemsAre413And415WithNothingStored() throws Exception {
        String now = Instant.now().toString();
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append(event("many-" + i, "acme", now, "1"));
        }
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(many.append(']').toString())
                .post("/v1/events").then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/batch-too-large"));
        String big = "[" + event("big-1", "acme", now, "1").replace("\"region\":\"eu\"", "\"note\":\"" + "x".repeat(1_100_000) + "\"") + "]";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(big)
                .post("/v1/events").then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/body-too-large"));
        // beyond what the HTTP layer reads at all (2 MiB): refused before the body is read, still problem+json
        String huge = "[" + event("big-2", "acme", now, "1").replace("\"region\":\"eu\"", "\"note\":\"" + "x".repeat(3_000_000) + "\"") + "]";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(huge.getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/body-too-large"));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.TEXT).body("id=1")
                .post("/v1/events").then().statusCode(415).contentType("application/problem+json");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from event_key where tenant_id = ? and (event_id like 'many-%' or event_id like 'big-%')")) {
            ps.setString(1, f.tenantId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Inject
    KeyExpiry expiry;

    @Test
    void keysOlderThanTheWindowExpireAndNoRetryCanOutliveThem() throws Exception {
        String now = Instant.now().toString();
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("fresh-1", "acme", now, "1") + "," + event("old-1", "acme", now, "1") + "]").post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(2));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update event_key set accepted_at = now() - interval '35 days 6 minutes' where tenant_id = ? and event_id = 'old-1'")) {
            ps.setString(1, f.tenantId());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(expiry.expire(Instant.now())).isGreaterThanOrEqualTo(1);
        assertThat(storedIds()).contains("fresh-1").doesNotContain("old-1");
        // a retry of the expired event with its real (old) time is too late, so it cannot be counted twice
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("old-1", "acme", Instant.now().minus(Duration.ofDays(35)).minusSeconds(60).toString(), "1") + "]")
                .post("/v1/events").then().statusCode(400).body("errors[0].code", equalTo("too_late"));
        // and the fresh key is still there to catch a retry
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("fresh-1", "acme", now, "1") + "]").post("/v1/events").then().statusCode(200).body("duplicates", equalTo(1));
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfterAndNothingIsStored() throws Exception {
        String now = Instant.now().toString();
        // test profile: 20 requests/s, burst 40. Eight senders at once use tokens faster than they come back even when
        // the machine is loaded (one sender alone may not, when a request takes longer than a token's 50 ms)
        AtomicInteger okCount = new AtomicInteger();
        AtomicInteger limitedCount = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            String id = "rl-" + i;
            sent.add(senders.submit(() -> {
                var r = given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                        .body("[" + event(id, "acme", now, "1") + "]").post("/v1/events").then().extract();
                if (r.statusCode() == 429) {
                    limitedCount.incrementAndGet();
                    assertThat(r.header("Retry-After")).isNotBlank();
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.asString()).contains("rate-limited");
                } else {
                    assertThat(r.statusCode()).isEqualTo(200);
                    okCount.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> s : sent) {
            s.get();
        }
        senders.shutdown();
        int ok = okCount.get();
        int limited = limitedCount.get();
        assertThat(limited).isPositive();
        assertThat(ok).isGreaterThanOrEqualTo(40);
        assertThat(storedIds().stream().filter(id -> id.startsWith("rl-")).count()).isEqualTo(ok);
    }

    @Test
    void readinessWaitsForTheCatalogReadModel() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Catalog read model' }.status", equalTo("UP"));
    }

    @Test
    void requestsWithoutAValidKeyAreRefusedWithProblemJson() {
        given().contentType(ContentType.JSON).body("{\"events\":[]}").post("/v1/events")
                .then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/unauthorized"));
        given().header("Authorization", "Bearer tly_nope_nope").contentType(ContentType.JSON).body("{\"events\":[]}")
                .post("/v1/events").then().statusCode(401).body("detail", containsString("unknown or revoked"));
    }

    @Test
    void eventsWithoutACustomerAreAttributedByIpLongestPrefixHostnameOrKey() throws Exception {
        IngestTestSupport.publishCustomer(kafka, json, catalog, new CatalogRecordV1.Customer(f.tenantId(), "cus_big", "bigcorp", "USD",
                new Aliases(List.of("bigcorp-legacy"), List.of("10.0.0.0/8"), List.of(), List.of("edge.bigcorp.example"))));
        IngestTestSupport.publishCustomer(kafka, json, catalog, new CatalogRecordV1.Customer(f.tenantId(), "cus_sub", "subsidiary", "USD",
                new Aliases(List.of(), List.of("10.1.0.0/16"), List.of(f.keyId()), List.of())));
        String ts = Instant.now().toString();
        String body = "{\"events\":["
                + "{\"id\":\"a1\",\"type\":\"t\",\"timestamp\":\"" + ts + "\",\"properties\":{\"ip\":\"10.200.0.1\"}},"
                + "{\"id\":\"a2\",\"type\":\"t\",\"timestamp\":\"" + ts + "\",\"properties\":{\"ip\":\"10.1.7.7\"}},"
                + "{\"id\":\"a3\",\"type\":\"t\",\"timestamp\":\"" + ts + "\",\"properties\":{\"hostname\":\"EDGE.bigcorp.example\"}},"
                + "{\"id\":\"a4\",\"type\":\"t\",\"timestamp\":\"" + ts + "\"},"
                + "{\"id\":\"a5\",\"type\":\"t\",\"customer\":\"bigcorp-legacy\",\"timestamp\":\"" + ts + "\"},"
                + "{\"id\":\"a6\",\"type\":\"t\",\"customer\":\"nobody\",\"timestamp\":\"" + ts + "\",\"properties\":{\"ip\":\"10.1.7.7\"}}]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(5)).body("results[5].code", equalTo("unknown_customer"));
        List<AcceptedEventV1> out = outboxEvents();
        assertThat(out).extracting(e -> e.eventId() + ":" + e.customerId() + ":" + e.attributedBy()).containsExactly(
                "a1:cus_big:ip", "a2:cus_sub:ip", "a3:cus_big:hostname", "a4:cus_sub:api_key", "a5:cus_big:customer");
    }

    @Test
    void unattributableEventsAreQuarantinedAndReplayedOnceTheMappingExists() throws Exception {
        var admin = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "admin");
        String ts = Instant.now().toString();
        String body = "[{\"id\":\"u1\",\"type\":\"t\",\"timestamp\":\"" + ts + "\",\"properties\":{\"ip\":\"192.0.2.1\",\"bytes\":7}},"
                + "{\"id\":\"u2\",\"type\":\"t\",\"customer\":\"later\",\"timestamp\":\"" + ts + "\"}]";
        for (int attempt = 0; attempt < 2; attempt++) { // a sender's retry does not pile up copies
            given().header("Authorization", "Bearer " + admin.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                    .then().statusCode(200).body("rejected", equalTo(2))
                    .body("results[0].code", equalTo("unattributed")).body("results[0].field", equalTo("customer"))
                    .body("results[0].message", containsString("quarantine")).body("results[1].code", equalTo("unknown_customer"));
        }
        // another tenant's key reads its own quarantine, never this one; replaying needs admin scope
        given().header("Authorization", "Bearer " + f.key()).get("/v1/quarantine").then().statusCode(200)
                .body("entries.eventId", Matchers.not(Matchers.hasItem("u1")));
        given().header("Authorization", "Bearer " + f.key()).post("/v1/quarantine/replay").then().statusCode(403);
        given().header("Authorization", "Bearer " + admin.key()).get("/v1/quarantine").then().statusCode(200)
                .body("total", equalTo(2)).body("entries.eventId", Matchers.containsInAnyOrder("u1", "u2"))
                .body("entries.find { it.eventId == 'u1' }.event.properties.bytes", equalTo("7"));
        given().header("Authorization", "Bearer " + admin.key()).post("/v1/quarantine/replay").then().statusCode(200)
                .body("stillUnattributed", equalTo(2)).body("accepted", equalTo(0)).body("remaining", equalTo(2));

        IngestTestSupport.publishCustomer(kafka, json, catalog, new CatalogRecordV1.Customer(admin.tenantId(), "cus_later", "later", "USD",
                new Aliases(List.of(), List.of("192.0.2.0/24"), List.of(), List.of())));
        given().header("Authorization", "Bearer " + admin.key()).post("/v1/quarantine/replay").then().statusCode(200)
                .body("accepted", equalTo(2)).body("remaining", equalTo(0));
        given().header("Authorization", "Bearer " + admin.key()).post("/v1/quarantine/replay").then().statusCode(200)
                .body("examined", equalTo(0));
        // now they are ordinary accepted events: a resend is a duplicate
        given().header("Authorization", "Bearer " + admin.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200).body("duplicates", equalTo(2));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from outbox, unnest(payloads) as u(p) where p like ? and p like '%cus_later%'")) {
            ps.setString(1, "%" + admin.tenantId() + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void aRevokedKeyIsRefusedOnceTheCatalogSaysSo() throws Exception {
        String body = "{\"events\":[" + event("rv1", "acme", Instant.now().toString(), "1") + "]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200);
        IngestTestSupport.revoke(kafka, json, catalog, f);
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void eachEventGetsItsOwnOutcomeAndOnlyAcceptedOnesReachTheOutbox() throws Exception {
        String now = Instant.now().minusSeconds(60).toString();
        String body = "{\"events\":[" + String.join(",",
                event("e1", "acme", now, "12345678901234567890.000000001"),
                event("e2", "acme", now, "2000"),
                event("e1", "acme", now, "12345678901234567890.000000001"),
                event("e3", "acme", "not-a-time", "1"),
                event("e4", "nobody", now, "1")) + "]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200)
                .body("accepted", equalTo(2)).body("duplicates", equalTo(1)).body("rejected", equalTo(2))
                .body("results[0].outcome", equalTo("accepted"))
                .body("results[2].outcome", equalTo("duplicate"))
                .body("results[3].code", equalTo("invalid_timestamp")).body("results[3].field", equalTo("timestamp"))
                .body("results[4].code", equalTo("unknown_customer"));

        assertThat(storedIds()).containsExactlyInAnyOrder("e1", "e2");
        List<AcceptedEventV1> outboxed = outboxEvents();
        assertThat(outboxed).extracting(AcceptedEventV1::eventId).containsExactly("e1", "e2");
        // a double would have made this 1.2345678901234567E19: numbers stay exact from request to Kafka
        assertThat(outboxed.get(0).properties().get("bytes")).isEqualTo("12345678901234567890.000000001");
        assertThat(outboxed.get(0).customerId()).isEqualTo(f.customerId());
    }

    /**
     * A meter that reads a number refuses an event whose property holds none (only events the meter
     * covers: its type and filter); numbers beyond 30 + 18 digits are refused for every event.
     */
    @Test
    void aNonNumberWhereAMeterNeedsOneAndNumbersBeyondRangeAreRejected() throws Exception {
        IngestTestSupport.publish(kafka, json, catalog, CatalogRecordV1.of(new CatalogRecordV1.Meter(f.tenantId(), "eu_bytes", "bandwidth",
                "SUM", "bytes", List.of(new FilterSpec("region", "equals", List.of("eu"))), List.of())));
        String now = Instant.now().toString();
        String body = "[" + String.join(",",
                event("n1", "acme", now, "\"lots\""),
                event("n2", "acme", now, "true"),
                event("n3", "acme", now, "\"1024\""),
                event("n4", "acme", now, "1e400"),
                event("n5", "acme", now, "0.0000000000000000001"),
                event("n6", "acme", now, "-0"),
                event("n7", "acme", now, "123456789012345678901234567890.123456789012345678"),
                event("n10", "acme", now, "\"0.0000000000000000001\""),
                event("n11", "acme", now, "\"1.500000000000000000000000\""),
                "{\"id\":\"n8\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"properties\":{\"bytes\":\"lots\",\"region\":\"us\"}}",
                "{\"id\":\"n9\",\"type\":\"errors\",\"customer\":\"acme\",\"properties\":{\"bytes\":\"lots\"}}") + "]";
        var res = given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200).extract().jsonPath();
        // a numeric string counts as a number only within the same range (trailing zeros do not count)
        assertThat(res.getList("results.outcome")).containsExactly("rejected", "rejected", "accepted", "rejected", "rejected",
                "accepted", "accepted", "rejected", "accepted", "accepted", "accepted");
        assertThat(res.getList("results.code")).containsExactly("property_not_a_number", "property_not_a_number", null,
                "number_out_of_range", "number_out_of_range", null, null, "property_not_a_number", null, null, null);
        assertThat(res.getString("results[0].field")).isEqualTo("properties.bytes");
        assertThat(res.getString("results[0].message")).contains("eu_bytes");
        assertThat(storedIds()).containsExactlyInAnyOrder("n3", "n6", "n7", "n11", "n8", "n9");
    }

    /** A missing id, an id over 128 characters, and another tenant's customer: each its own outcome, neighbours accepted. */
    @Test
    void missingAndOverlongIdsAndAnotherTenantsCustomerAreRejectedAlone() throws Exception {
        IngestTestSupport.Fixture other = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        IngestTestSupport.publishCustomer(kafka, json, catalog, new CatalogRecordV1.Customer(other.tenantId(), "c_theirs", "theirs", "USD", null));
        String now = Instant.now().toString();
        String body = "[" + String.join(",",
                "{\"type\":\"bandwidth\",\"customer\":\"acme\",\"properties\":{\"bytes\":1}}",
                event("i".repeat(129), "acme", now, "1"),
                event("i".repeat(128), "acme", now, "1"),
                event("x-theirs", "theirs", now, "1"),
                event("x-mine", "acme", now, "1")) + "]";
        var res = given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200).extract().jsonPath();
        assertThat(res.getList("results.outcome")).containsExactly("rejected", "rejected", "accepted", "rejected", "accepted");
        assertThat(res.getList("results.code")).containsExactly("missing_field", "invalid_id", null, "unknown_customer", null);
        assertThat(res.getList("results.field")).containsExactly("id", "id", null, "customer", null);
        assertThat(storedIds()).containsExactlyInAnyOrder("i".repeat(128), "x-mine");
        // the other tenant's customer was not charged: nothing for it in this tenant's outbox, and nothing in the other tenant's
        assertThat(outboxEvents()).extracting(AcceptedEventV1::customerId).containsOnly(f.customerId());
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from event_key where tenant_id = ?")) {
            ps.setString(1, other.tenantId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void aRetryWithAnotherTimestampIsStillADuplicate() throws Exception {
        String first = "{\"events\":[" + event("r1", "acme", Instant.now().minusSeconds(3600).toString(), "5") + "]}";
        String retry = "{\"events\":[" + event("r1", "acme", Instant.now().minusSeconds(10).toString(), "5") + "]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(first).post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(1));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(retry).post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(1));
        assertThat(outboxEvents()).hasSize(1);
    }

    @Test
    void malformedOrAllInvalidInputChangesNothing() throws Exception {
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body("{\"events\":[{\"id\":")
                .post("/v1/events").then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/malformed-json"))
                .body("detail", not(containsString("Exception")));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("{\"events\":[" + event("x1", "acme", "2099-01-01T00:00:00Z", "1") + "]}")
                .post("/v1/events").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("events[0].timestamp"))
                .body("errors[0].code", equalTo("timestamp_in_future"));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body("{\"events\":[]}")
                .post("/v1/events").then().statusCode(400).body("field", equalTo("events"));
        assertThat(storedIds()).isEmpty();
        assertThat(outboxEvents()).isEmpty();
    }

    @Test
    void theRelayPublishesWithOutboxHeadersAndTheRequestsTraceContext() throws Exception {
        String body = "{\"events\":[" + event("k1", "acme", Instant.now().toString(), "7") + ","
                + event("k2", "acme", Instant.now().toString(), "8") + "]}";
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(2));

        List<ConsumerRecord<String, String>> mine = new ArrayList<>();
        try (KafkaConsumer<String, String> c = kafka.consumer(null, "test-reader")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS_ACCEPTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (mine.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key().startsWith(f.tenantId() + "/")) {
                        mine.add(r);
                    }
                }
            }
        }
        assertThat(mine).hasSize(2);
        assertThat(mine).extracting(r -> RecordHeaders.string(r, Headers.POSITION)).containsExactly("0", "1");
        assertThat(mine).extracting(r -> RecordHeaders.string(r, Headers.OUTBOX_ID)).containsOnly(RecordHeaders.string(mine.get(0), Headers.OUTBOX_ID));
        assertThat(mine.get(0).key()).isEqualTo(f.tenantId() + "/" + f.customerId());

        String traceparent = RecordHeaders.string(mine.get(0), Headers.TRACEPARENT);
        assertThat(traceparent).isNotBlank();
        String traceId = traceparent.split("-")[1];
        Set<String> serverTraces = awaitSpans().stream().filter(s -> s.getName().contains("/v1/events"))
                .map(SpanData::getTraceId).collect(Collectors.toSet());
        assertThat(serverTraces).contains(traceId);
    }

    @Inject
    AcceptanceMarkers markers;

    /**
     * A marker written after an event was accepted reaches every partition, and on the event's
     * partition it comes after the event: what rating's watermark relies on.
     */
    @Test
    void acceptanceMarkersReachEveryPartitionAfterEverythingAcceptedBefore() throws Exception {
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[" + event("wm-1", "acme", Instant.now().toString(), "3") + "]").post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(1));
        Instant before = markers.mark(); // lag 0 in tests: the bound is "now"
        try (KafkaConsumer<String, String> c = kafka.consumer(null, "test-markers")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS_ACCEPTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<Integer, Long> eventOffset = new HashMap<>();
            Map<Integer, Long> markerOffset = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (markerOffset.size() < parts.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key().startsWith(f.tenantId() + "/")) {
                        eventOffset.put(r.partition(), r.offset());
                    } else if ("AcceptanceMarkerV1".equals(RecordHeaders.string(r, Headers.SCHEMA))) {
                        var m = json.readValue(r.value(), AcceptanceMarkerV1.class);
                        if (m.acceptedBefore().equals(before)) {
                            markerOffset.put(r.partition(), r.offset());
                            assertThat(m.partition()).isEqualTo(r.partition());
                        }
                    }
                }
            }
            assertThat(markerOffset.keySet()).hasSize(parts.size());
            assertThat(eventOffset).hasSize(1);
            int p = eventOffset.keySet().iterator().next();
            assertThat(markerOffset.get(p)).isGreaterThan(eventOffset.get(p));
        }
    }

    private List<SpanData> awaitSpans() throws InterruptedException {
        for (int i = 0; i < 100 && spans.getFinishedSpanItems().isEmpty(); i++) {
            Thread.sleep(50);
        }
        return spans.getFinishedSpanItems();
    }

    private List<String> storedIds() throws Exception {
        return IngestTestSupport.storedIds(dataSource, f.tenantId());
    }

    private List<AcceptedEventV1> outboxEvents() throws Exception {
        List<AcceptedEventV1> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select p from outbox, unnest(payloads) with ordinality as u(p, n) where keys[1] like ? order by id, n")) {
            ps.setString(1, f.tenantId() + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(json.readValue(rs.getString(1), AcceptedEventV1.class));
                }
            }
        }
        return out;
    }

}
