package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.KafkaClients;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What invoicing tests share: tenants through the operator API, a SUM meter priced per unit, customers subscribed
 * by calendar month, rating's usage snapshots published to Kafka (and waited for), and counts in the database.
 */
final class BillingFixture {
    static final String OPERATOR = "test-operator-token";

    record Tenant(String id, String key) {
    }

    private final KafkaClients kafka;
    private final ObjectMapper json;
    private final DataSource dataSource;

    BillingFixture(KafkaClients kafka, ObjectMapper json, DataSource dataSource) {
        this.kafka = kafka;
        this.json = json;
        this.dataSource = dataSource;
    }

    static Tenant tenant(String name) {
        var r = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}").post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        return new Tenant(r.getString("tenantId"), r.getString("apiKey.key"));
    }

    static ValidatableResponse post(Tenant t, String path, String body) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).post(path).then();
    }

    static ValidatableResponse get(Tenant t, String path) {
        return given().header("Authorization", "Bearer " + t.key()).get(path).then();
    }

    /** A SUM meter priced at USD 0.001 per unit, and customers subscribed (calendar months) from {@code start}. */
    static List<String> setUp(Tenant t, String start, String... customers) {
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}").statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"pro","name":"Pro","currency":"USD",
                 "charges":[{"meter":"bandwidth","description":"Bandwidth","price":{"model":"per_unit","unitPrice":"0.001"}}]}""").statusCode(201);
        List<String> ids = new ArrayList<>();
        for (String c : customers) {
            ids.add(post(t, "/v1/customers", "{\"externalId\":\"" + c + "\",\"name\":\"" + c + "\",\"plan\":\"pro\",\"subscriptionStart\":\"" + start
                    + "\"}").statusCode(201).extract().path("customerId"));
        }
        return ids;
    }

    /** Publishes rating snapshots (ungrouped) at {@code version} and waits until invoicing stored them. */
    void usage(Tenant t, String customerId, long version, String... periodStartEndQuantity) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            for (int i = 0; i < periodStartEndQuantity.length; i += 3) {
                RatedUsageV1 s = new RatedUsageV1(t.id(), customerId, "bandwidth", Instant.parse(periodStartEndQuantity[i]),
                        Instant.parse(periodStartEndQuantity[i + 1]), new BigDecimal(periodStartEndQuantity[i + 2]), 3 + version, version,
                        Instant.now(), Map.of());
                p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, json.writeValueAsString(s))).get();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count("select count(*) from usage_snapshot where tenant_id = ? and customer_id = '" + customerId + "' and version = " + version,
                t.id()) < periodStartEndQuantity.length / 3) {
            assertThat(System.nanoTime()).as("snapshots stored").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Publishes one rating snapshot per group of a grouped meter ({@code groups}: dimension values → quantity) at
     * {@code version} and waits until invoicing stored them.
     */
    void groupedUsage(Tenant t, String customerId, String meter, long version, String periodStart, String periodEnd,
            Map<Map<String, String>, String> groups) throws Exception {
        meterUsage(t, customerId, meter, version, periodStart, periodEnd, groups, 1);
    }

    /** As {@link #groupedUsage}, each group with {@code eventCount} events. */
    void meterUsage(Tenant t, String customerId, String meter, long version, String periodStart, String periodEnd,
            Map<Map<String, String>, String> groups, long eventCount) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            for (Map.Entry<Map<String, String>, String> g : groups.entrySet()) {
                RatedUsageV1 s = new RatedUsageV1(t.id(), customerId, meter, Instant.parse(periodStart), Instant.parse(periodEnd),
                        new BigDecimal(g.getValue()), eventCount, version, Instant.now(), g.getKey());
                p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, json.writeValueAsString(s))).get();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count("select count(*) from usage_snapshot where tenant_id = ? and customer_id = '" + customerId + "' and meter_key = '" + meter
                + "' and version = " + version, t.id()) < groups.size()) {
            assertThat(System.nanoTime()).as("snapshots stored").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Publishes one ungrouped rating snapshot of a period the plan changed in: {@code total} over the period and
     * {@code later} of it in the segment from {@code segmentStart} (as rating sends them), and waits until stored.
     */
    void segmentedUsage(Tenant t, String customerId, String meter, long version, String periodStart, String periodEnd, String total,
            long events, Instant segmentStart, String later, long laterEvents) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            RatedUsageV1 s = new RatedUsageV1(t.id(), customerId, meter, Instant.parse(periodStart), Instant.parse(periodEnd),
                    new BigDecimal(total), events, version, Instant.now(), Map.of(), null,
                    List.of(new RatedUsageV1.Segment(segmentStart, new BigDecimal(later), laterEvents)));
            p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, json.writeValueAsString(s))).get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count("select count(*) from usage_snapshot where tenant_id = ? and customer_id = '" + customerId + "' and meter_key = '" + meter
                + "' and version = " + version, t.id()) < 1) {
            assertThat(System.nanoTime()).as("snapshot stored").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    long count(String sql, String arg) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The first instant of the UTC month {@code offset} months from now. */
    static String monthStart(int offset) {
        return YearMonth.now(ZoneOffset.UTC).plusMonths(offset).atDay(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant().toString();
    }

    static String year(Instant now) {
        return Integer.toString(now.atZone(ZoneOffset.UTC).getYear());
    }
}
