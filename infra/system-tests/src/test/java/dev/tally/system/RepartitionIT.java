package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.infra.local.LocalStack;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Growing {@code tally.events.accepted} by four partitions while the services run (issue 23): ingest's acceptance
 * markers cover the new partitions, rating is assigned them and raises their watermarks, so the platform watermark —
 * the least over every partition, the new ones included — goes on, a period waiting for it closes, and every event
 * (some on the new partitions) is counted once. On a stack of its own (PostgreSQL and Kafka in {@code
 * target/repartition-stack}): the topic keeps its new partitions, and the other system tests share theirs.
 */
class RepartitionIT {
    private static final int CUSTOMERS = 8;
    private static final String TOPIC = "tally.events.accepted";
    private static OwnPlatform platform;
    private static ServiceProcess ingest;
    private static ServiceProcess invoicing;

    @BeforeAll
    static void start() throws Exception {
        // a short watermark lag (2 minutes by default), so the time the growth costs shows in the measure
        platform = new OwnPlatform(LocalStack.ephemeral(Path.of("target", "repartition-stack")), Map.of("TALLY_INGEST_WATERMARK_LAG", "PT5S"));
        ingest = platform.ingest;
        invoicing = platform.invoicing;
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void addingPartitionsWhileRunningStallsNeitherWatermarksNorClosesAndCountsEveryEventOnce() throws Exception {
        OwnPlatform.Tenant tenant = platform.tenant("Repartition", "0.01", true); // last month closes after the partitions are added
        String admin = tenant.adminKey();
        String key = tenant.ingestKey();
        Instant lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant thisMonth = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Map<String, long[]> expected = new HashMap<>(); // customer → {events this month, bytes this month}
        StringBuilder earlier = new StringBuilder();
        for (int c = 0; c < CUSTOMERS; c++) {
            post(invoicing.url(), admin, "/v1/customers", "{\"externalId\":\"r%d\",\"name\":\"R%d\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                    .formatted(c, c, lastMonth)).then().statusCode(201);
            expected.put("r" + c, new long[2]);
            earlier.append(c == 0 ? "" : ",").append(event("lm-" + c, "r" + c, thisMonth.minusSeconds(3600), 100));
        }
        send(key, "{\"events\":[" + earlier + "]}", CUSTOMERS);
        send(key, batch("before", 0, expected), 200);

        int before;
        try (Admin kafka = Admin.create(kafkaProperties())) {
            before = kafka.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size();
            kafka.createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(before + 4))).all().get();
        }
        Instant grown = Instant.now();
        long t0 = System.nanoTime();
        // 40 s of traffic after the growth (the producers' view of the topic refreshes meanwhile), measured beside it
        List<String> after = new ArrayList<>();
        for (int b = 1; b <= 5; b++) {
            after.add(batch("after-" + b, b, expected));
        }
        Thread traffic = Thread.ofPlatform().start(() -> {
            for (String body : after) {
                try {
                    send(key, body, 200);
                    Thread.sleep(8_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        // the platform watermark covers every partition, the new ones included, and passes the growth
        Instant watermark = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (watermark == null || watermark.isBefore(grown)) {
            assertThat(System.nanoTime()).as("the platform watermark passed the growth; last " + watermark).isLessThan(deadline);
            Thread.sleep(1000);
            String w = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + platform.operator).get("/v1/admin/overview").then().statusCode(200)
                    .extract().path("lastClose.watermark");
            watermark = w == null ? null : Instant.parse(w);
        }
        System.out.printf("%s grown from %d to %d partitions: the platform watermark (lag 5 s) passed the growth %d s later%n", TOPIC, before,
                before + 4, Duration.ofNanos(System.nanoTime() - t0).toSeconds());
        traffic.join(Duration.ofMinutes(3));
        assertThat(eventsOnNewPartitions(before)).as("events landed on the new partitions").isPositive();

        // the waiting period closes once the tenant lets it
        SystemRequests.closeGrace(invoicing.url(), platform.operator, tenant.id(), "PT0S");
        for (int c = 0; c < CUSTOMERS; c++) {
            long closeBy = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/invoices?customer=r" + c).then().statusCode(200)
                    .extract().jsonPath().getList("invoices").isEmpty()) {
                assertThat(System.nanoTime()).as("r" + c + "'s last month closed by the scheduled closer").isLessThan(closeBy);
                Thread.sleep(500);
            }
            given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/invoices?customer=r" + c).then()
                    .body("invoices.size()", Matchers.equalTo(1)).body("invoices[0].total", Matchers.equalTo("1.00"));
        }
        // every event of this month counted once
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            JsonPath draft = awaitDraft(admin, e.getKey(), e.getValue()[0]);
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).as(e.getKey()).isEqualByComparingTo(BigDecimal.valueOf(e.getValue()[1]));
        }
    }

    /** 200 events over the customers (ids {@code prefix-i}), counted into {@code expected}; bytes vary with {@code seed}. */
    private static String batch(String prefix, int seed, Map<String, long[]> expected) {
        StringBuilder sb = new StringBuilder("{\"events\":[");
        Instant now = Instant.now();
        for (int i = 0; i < 200; i++) {
            String customer = "r" + (i % CUSTOMERS);
            long bytes = 1 + (i * 7919L + seed * 104_729L) % 10_000;
            sb.append(i == 0 ? "" : ",").append(event(prefix + "-" + i, customer, now.minusSeconds(2), bytes));
            expected.get(customer)[0]++;
            expected.get(customer)[1] += bytes;
        }
        return sb.append("]}").toString();
    }

    private static String event(String id, String customer, Instant at, long bytes) {
        return "{\"id\":\"%s\",\"type\":\"bytes\",\"customer\":\"%s\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":%d}}".formatted(id, customer, at,
                bytes);
    }

    private static void send(String key, String body, int accepted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            var r = post(ingest.url(), key, "/v1/events", body);
            if (r.statusCode() == 200) {
                assertThat(r.jsonPath().getInt("accepted")).isEqualTo(accepted);
                return;
            }
            assertThat(System.nanoTime()).as("ingest answered: " + r.asString()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static JsonPath awaitDraft(String admin, String customer, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonPath d = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/customers/" + customer + "/invoices/draft")
                    .then().statusCode(200).extract().jsonPath();
            if (!d.getList("lines").isEmpty() && d.getLong("lines[0].eventCount") == events) {
                return d;
            }
            assertThat(System.nanoTime()).as(customer + "'s draft reached " + events + " events: " + d.prettify()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** Events (not acceptance markers) on the partitions added by the test (beyond the first {@code before}). */
    private static long eventsOnNewPartitions(int before) {
        Properties p = kafkaProperties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> added = new ArrayList<>();
            for (int i = before; i < before + 4; i++) {
                added.add(new TopicPartition(TOPIC, i));
            }
            c.assign(added);
            c.seekToBeginning(added);
            Map<TopicPartition, Long> end = c.endOffsets(added);
            long events = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (added.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(500))) {
                    events += r.value().contains("acceptedBefore") ? 0 : 1;
                }
            }
            return events;
        }
    }

    private static Properties kafkaProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.addresses.kafkaBootstrap());
        return p;
    }
}
