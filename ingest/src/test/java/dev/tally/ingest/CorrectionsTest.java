package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retraction and amendment of accepted events: outcomes, the audit record, tenant scope, and what reaches the topic. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CorrectionsTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;

    IngestTestSupport.Fixture f;

    @BeforeEach
    void tenant() throws Exception {
        f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        IngestTestSupport.publish(kafka, json, catalog, CatalogRecordV1.of(new CatalogRecordV1.Meter(f.tenantId(), "bytes", "bandwidth",
                "SUM", "bytes")));
    }

    private void send(IngestTestSupport.Fixture who, String... idAndBytes) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < idAndBytes.length; i += 2) {
            events.add("""
                    {"id":"%s","type":"bandwidth","customer":"acme","timestamp":"%s","properties":{"bytes":%s,"region":"eu"}}"""
                    .formatted(idAndBytes[i], Instant.now().toString(), idAndBytes[i + 1]));
        }
        given().header("Authorization", "Bearer " + who.key()).contentType(ContentType.JSON).body("[" + String.join(",", events) + "]")
                .post("/v1/events").then().statusCode(200).body("accepted", equalTo(events.size()));
    }

    private JsonPath post(String path, String body, int status) {
        return given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(status).extract().jsonPath();
    }

    @Test
    void retractAndAmendAnswerPerEventRecordWhoAndWhyAndReachTheTopicInOrder() throws Exception {
        send(f, "a", "10", "b", "5", "c", "1");

        JsonPath r = post("/v1/events/retract", "{\"ids\":[\"a\",\"nope\",\"a\"],\"reason\":\"test traffic\"}", 200);
        assertThat(r.getList("results.outcome")).containsExactly("retracted", "not_found", "already_retracted");
        assertThat(r.getInt("corrected")).isEqualTo(1);
        assertThat(r.getInt("notCorrected")).isEqualTo(2);

        JsonPath m = post("/v1/events/amend", """
                {"reason":"meter misread","events":[
                  {"id":"b","properties":{"bytes":7,"region":"eu"}},
                  {"id":"b","properties":{"bytes":8,"region":"eu"}},
                  {"id":"a","properties":{"bytes":1}},
                  {"id":"c","properties":{"bytes":"lots"}}]}""", 200);
        assertThat(m.getList("results.outcome")).containsExactly("amended", "amended", "rejected", "rejected");
        assertThat(m.getList("results.sequence")).containsExactly(1, 2, null, null);
        assertThat(m.getList("results.code")).containsExactly(null, null, "retracted", "property_not_a_number");

        // the history: original, current, and every correction with actor and reason
        JsonPath b = given().header("Authorization", "Bearer " + f.key()).get("/v1/events/b").then().statusCode(200).extract().jsonPath();
        assertThat(b.getString("status")).isEqualTo("amended");
        assertThat(b.getString("original.properties.bytes")).isEqualTo("5");
        assertThat(b.getString("current.properties.bytes")).isEqualTo("8");
        assertThat(b.getList("corrections.actor")).containsExactly("key:" + f.keyId(), "key:" + f.keyId());
        assertThat(b.getList("corrections.reason")).containsExactly("meter misread", "meter misread");
        assertThat(b.getString("corrections[1].previous.properties.bytes")).isEqualTo("7");
        given().header("Authorization", "Bearer " + f.key()).get("/v1/events/a").then().statusCode(200)
                .body("status", equalTo("retracted"));
        given().header("Authorization", "Bearer " + f.key()).get("/v1/events/c").then().statusCode(200)
                .body("status", equalTo("accepted")).body("corrections.size()", equalTo(0));

        // a retracted id stays taken
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON)
                .body("[{\"id\":\"a\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"properties\":{\"bytes\":3}}]").post("/v1/events")
                .then().statusCode(200).body("duplicates", equalTo(1));

        // on the topic: the events, then the corrections on the same partition, each taking out what the previous one put in
        List<ConsumerRecord<String, String>> mine = read(6);
        assertThat(mine).extracting(x -> RecordHeaders.string(x, Headers.SCHEMA))
                .containsExactly("AcceptedEventV1", "AcceptedEventV1", "AcceptedEventV1", "EventCorrectionV1", "EventCorrectionV1",
                        "EventCorrectionV1");
        assertThat(mine).extracting(ConsumerRecord::partition).containsOnly(mine.get(0).partition());
        List<EventCorrectionV1> corrections = new ArrayList<>();
        for (var x : mine.subList(3, 6)) {
            corrections.add(json.readValue(x.value(), EventCorrectionV1.class));
        }
        assertThat(corrections).extracting(EventCorrectionV1::kind).containsExactly("retract", "amend", "amend");
        assertThat(corrections.get(0).previous().properties().get("bytes")).isEqualTo("10");
        assertThat(corrections.get(0).current()).isNull();
        assertThat(corrections.get(1).previous().properties().get("bytes")).isEqualTo("5");
        assertThat(corrections.get(1).current().properties().get("bytes")).isEqualTo("7");
        assertThat(corrections.get(2).previous().properties().get("bytes")).isEqualTo("7");
        assertThat(corrections.get(2).current().properties().get("bytes")).isEqualTo("8");
        assertThat(corrections).extracting(EventCorrectionV1::customerId).containsOnly(f.customerId());
        // the billing period is stamped at acceptance (no subscription here: the calendar month) and travels with corrections
        var original = json.readValue(mine.get(1).value(), AcceptedEventV1.class);
        assertThat(original.periodStart()).isEqualTo(BillingPeriod.calendarMonthOf(original.timestamp()).start());
        assertThat(corrections.get(1).previous().periodStart()).isEqualTo(original.periodStart());
        assertThat(corrections.get(2).current().periodEnd()).isEqualTo(original.periodEnd());
    }

    /**
     * A plan change during the period (issue 19): ingest stamps each event after it with the segment's start, so rating
     * can price it by the new version; an event before it gets none; a correction carries the stamp unchanged.
     */
    @Test
    void theSegmentOfAMidPeriodPlanChangeIsStampedAtAcceptanceAndTravelsWithCorrections() throws Exception {
        Instant now = Instant.now();
        BillingPeriod month = BillingPeriod.calendarMonthOf(now);
        Duration into = Duration.between(month.start(), now);
        Assumptions.assumeTrue(into.toSeconds() > 60, "not in the first minute of a month");
        Instant change = month.start().plus(into.dividedBy(2));
        Subscription sub = new Subscription("s_" + f.customerId(), f.customerId(), Instant.parse("2026-01-01T00:00:00Z"), null,
                BillingCycle.CALENDAR_MONTH, null, List.of(new Subscription.Phase(Instant.parse("2026-01-01T00:00:00Z"), "p", 1,
                        Subscription.Reason.START, null), new Subscription.Phase(change, "p", 2, Subscription.Reason.CHANGE, null)));
        IngestTestSupport.publish(kafka, json, catalog, CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(f.tenantId(), sub)));
        Instant before = month.start().plus(into.dividedBy(4));
        Instant after = change.plus(into.dividedBy(4));
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body("""
                [{"id":"old","type":"bandwidth","customer":"acme","timestamp":"%s","properties":{"bytes":1}},
                 {"id":"new","type":"bandwidth","customer":"acme","timestamp":"%s","properties":{"bytes":2}}]""".formatted(before, after))
                .post("/v1/events").then().statusCode(200).body("accepted", equalTo(2));
        post("/v1/events/amend", "{\"reason\":\"misread\",\"events\":[{\"id\":\"new\",\"properties\":{\"bytes\":3}}]}", 200);

        List<ConsumerRecord<String, String>> mine = read(3);
        AcceptedEventV1 old = json.readValue(mine.get(0).value(), AcceptedEventV1.class);
        AcceptedEventV1 fresh = json.readValue(mine.get(1).value(), AcceptedEventV1.class);
        EventCorrectionV1 amend = json.readValue(mine.get(2).value(), EventCorrectionV1.class);
        assertThat(old.periodStart()).isEqualTo(month.start());
        assertThat(old.segmentStart()).isNull();
        assertThat(fresh.periodStart()).isEqualTo(month.start());
        assertThat(fresh.segmentStart()).isEqualTo(change);
        assertThat(mine.get(1).value()).contains("\"segmentStart\":\"" + change + "\"");
        assertThat(amend.previous().segmentStart()).isEqualTo(change);
        assertThat(amend.current().segmentStart()).isEqualTo(change);
    }

    @Test
    void anotherTenantsEventIsNotFoundAndBadRequestsChangeNothing() throws Exception {
        IngestTestSupport.Fixture other = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        send(other, "theirs", "4");
        send(f, "mine", "4");

        post("/v1/events/retract", "{\"ids\":[\"theirs\"],\"reason\":\"x\"}", 200).getList("results.outcome");
        assertThat(post("/v1/events/retract", "{\"ids\":[\"theirs\"],\"reason\":\"x\"}", 200).getList("results.outcome"))
                .containsExactly("not_found");
        given().header("Authorization", "Bearer " + f.key()).get("/v1/events/theirs").then().statusCode(404)
                .contentType("application/problem+json");

        // whole-request problems: problem+json, nothing written
        assertThat(post("/v1/events/retract", "{\"ids\":[\"mine\"]}", 400).getString("type")).endsWith("missing-reason");
        assertThat(post("/v1/events/retract", "{\"ids\":[],\"reason\":\"x\"}", 400).getString("type")).endsWith("missing-ids");
        assertThat(post("/v1/events/retract", "{\"ids\":[\"mine\"],\"reason\":\"" + "r".repeat(501) + "\"}", 400).getString("type"))
                .endsWith("reason-too-long");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add("\"x" + i + "\"");
        }
        assertThat(post("/v1/events/retract", "{\"ids\":[" + String.join(",", many) + "],\"reason\":\"x\"}", 413).getString("type"))
                .endsWith("batch-too-large");
        post("/v1/events/retract", "{\"ids\":[\"mine\"", 400);
        post("/v1/events/amend", "{\"events\":[{\"id\":\"mine\",\"properties\":[1]}],\"reason\":\"x\"}", 200);
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body("{\"ids\":[\"mine\"],\"reason\":\"x\"}")
                .post("/v1/events/retract").then().statusCode(200);
        assertThat(corrections(f.tenantId())).isEqualTo(1);
        assertThat(corrections(other.tenantId())).isZero();
        // without a key: 401
        given().contentType(ContentType.JSON).body("{\"ids\":[\"mine\"],\"reason\":\"x\"}").post("/v1/events/retract")
                .then().statusCode(401).contentType("application/problem+json");
    }

    private int corrections(String tenantId) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from event_correction where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<ConsumerRecord<String, String>> read(int expected) {
        List<ConsumerRecord<String, String>> mine = new ArrayList<>();
        try (KafkaConsumer<String, String> c = kafka.consumer(null, "test-corrections")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS_ACCEPTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (mine.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key().startsWith(f.tenantId() + "/")) {
                        mine.add(r);
                    }
                }
            }
        }
        return mine;
    }
}
