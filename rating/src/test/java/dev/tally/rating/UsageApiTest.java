package dev.tally.rating;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.ApiKeys;
import dev.tally.platform.security.PortalTokens;
import dev.tally.platform.usage.StoredSegments;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grouped meters, per-day usage, subscription billing periods and the usage API, against real Kafka
 * and Postgres: events go in as ingest's relay would publish them, answers come from the API.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class UsageApiTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;

    String tenant;
    String customer;
    String readKey;
    String ingestKey;

    @BeforeEach
    void catalog() throws Exception {
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        customer = "c_" + UUID.randomUUID().toString().substring(0, 8);
        ApiKeys.NewKey read = ApiKeys.generate();
        ApiKeys.NewKey ingest = ApiKeys.generate();
        readKey = read.key();
        ingestKey = ingest.key();
        // monthly on the 15th, from 2026-11-01: periods [11-01, 11-15) (cut to the start) and [11-15, 12-15)
        Subscription sub = new Subscription("s_" + customer, customer, Instant.parse("2026-11-01T00:00:00Z"), null, BillingCycle.monthly(15),
                null, List.of(new Subscription.Phase(Instant.parse("2026-11-01T00:00:00Z"), "p", 1, Subscription.Reason.START, null)));
        publish(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenant, read.keyId(), read.sha256(), "read", false)),
                CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenant, ingest.keyId(), ingest.sha256(), "ingest", false)),
                CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, customer, "acme", "USD", null)),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "bytes", "bandwidth", "SUM", "bytes", List.of(), List.of("region"))),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "requests", "bandwidth", "COUNT", null)),
                CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenant, sub)),
                CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenant, "p", 1, "published", PlanSpec.of(1, "p", "P", "USD", List.of(
                        new PlanSpec.ChargeSpec("bytes", "Bandwidth", PlanSpec.PriceSpec.perUnit("0.0001")),
                        new PlanSpec.ChargeSpec("requests", null, new PlanSpec.PriceSpec("graduated", null, null, null, List.of(
                                new PlanSpec.TierSpec(new BigDecimal("10"), BigDecimal.ZERO, null),
                                new PlanSpec.TierSpec(null, new BigDecimal("0.05"), null)), null, null, null, null, null, null, null, null,
                                null, null)))))));
    }

    private void publish(CatalogRecordV1... records) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (CatalogRecordV1 r : records) {
                p.send(new ProducerRecord<>(Topics.CATALOG, r.key(), json.writeValueAsString(r))).get();
            }
        }
        assertThat(catalog.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    private void publishEvents(List<AcceptedEventV1> events) throws Exception {
        publishRow(AcceptedEventV1.SCHEMA, new ArrayList<>(events));
    }

    /** One outbox row's worth of messages (events or corrections), as ingest's relay publishes them. */
    private void publishRow(String schema, List<Object> messages) throws Exception {
        publishFor(customer, schema, messages);
    }

    @Test
    void usageIsSplitByDayGroupAndSubscriptionPeriodAndAddsUpToTheAggregates() throws Exception {
        String[] days = {"2026-11-10T08:00:00Z", "2026-11-14T23:59:59Z", "2026-11-15T00:00:00Z", "2026-11-20T12:00:00Z"};
        String[] regions = {"eu", "us", ""};
        List<AcceptedEventV1> events = new ArrayList<>();
        Map<String, BigDecimal> byDay = new TreeMap<>();
        Map<String, BigDecimal> byRegion = new TreeMap<>();
        Map<String, BigDecimal> byPeriod = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            Instant t = Instant.parse(days[i % days.length]);
            String region = regions[i % regions.length];
            BigDecimal bytes = new BigDecimal(1000 + i + ".5");
            Map<String, Object> props = region.isEmpty() ? Map.of("bytes", bytes.toPlainString()) : Map.of("bytes", bytes.toPlainString(), "region", region);
            events.add(new AcceptedEventV1(tenant, customer, "acme", "u-" + i, "bandwidth", t, props, Instant.now(), "customer"));
            byDay.merge(t.toString().substring(0, 10), bytes, BigDecimal::add);
            byRegion.merge(region, bytes, BigDecimal::add);
            byPeriod.merge(t.isBefore(Instant.parse("2026-11-15T00:00:00Z")) ? "2026-11-01" : "2026-11-15", bytes, BigDecimal::add);
        }
        publishEvents(events);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath usage;
        do {
            Thread.sleep(100);
            usage = given().header("Authorization", "Bearer " + readKey).queryParam("from", "2026-11-01").queryParam("to", "2026-12-01")
                    .get("/v1/customers/acme/usage").then().statusCode(200).extract().jsonPath();
            assertThat(System.nanoTime()).as("usage visible").isLessThan(deadline);
        } while (usage.getLong("meters.find { it.meter == 'requests' }.eventCount") < 60);

        assertThat(usage.getString("customerId")).isEqualTo(customer);
        assertThat(usage.getList("meters.meter")).containsExactly("bytes", "requests");
        BigDecimal total = byDay.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(new BigDecimal(usage.getString("meters[0].quantity"))).isEqualByComparingTo(total);
        assertThat(usage.getList("meters[0].days")).hasSize(30);
        for (var e : byDay.entrySet()) {
            assertThat(new BigDecimal(usage.getString("meters[0].days.find { it.day == '" + e.getKey() + "' }.quantity")))
                    .as(e.getKey()).isEqualByComparingTo(e.getValue());
        }
        assertThat(usage.getString("meters[0].days.find { it.day == '2026-11-11' }.quantity")).isEqualTo("0");
        // each day points at a few of its events (the first rated), the way to the events behind a quantity
        List<String> samples = usage.getList("meters[0].days.find { it.day == '2026-11-10' }.sampleEventIds");
        assertThat(samples).isNotEmpty().hasSizeLessThanOrEqualTo(3);
        assertThat(samples).allMatch(id -> events.stream().anyMatch(e -> e.eventId().equals(id)
                && e.timestamp().toString().startsWith("2026-11-10")), "an event sent for that day");
        assertThat(usage.getList("meters[0].days.find { it.day == '2026-11-11' }.sampleEventIds")).isEmpty();
        // a missing dimension is its own group, "" (documented): three groups
        assertThat(usage.getList("meters[0].groups")).hasSize(3);
        for (var e : byRegion.entrySet()) {
            assertThat(new BigDecimal(usage.getString("meters[0].groups.find { it.dimensions.region == '" + e.getKey() + "' }.quantity")))
                    .as(e.getKey()).isEqualByComparingTo(e.getValue());
        }
        assertThat(usage.getList("meters[1].groups")).isNull();

        // aggregates: one row per (subscription period, group); the periods are the subscription's, cut to its start
        Map<String, BigDecimal> aggregated = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select to_char(period_start at time zone 'UTC', 'YYYY-MM-DD'), to_char(period_end at time zone 'UTC', 'YYYY-MM-DD'),
                            sum(quantity) from usage_aggregate
                     where tenant_id = ? and customer_id = ? and meter_key = 'bytes' group by 1, 2 order by 1""")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    aggregated.put(rs.getString(1) + ".." + rs.getString(2), rs.getBigDecimal(3));
                }
            }
        }
        assertThat(aggregated.keySet()).containsExactly("2026-11-01..2026-11-15", "2026-11-15..2026-12-15");
        assertThat(aggregated.get("2026-11-01..2026-11-15")).isEqualByComparingTo(byPeriod.get("2026-11-01"));
        assertThat(aggregated.get("2026-11-15..2026-12-15")).isEqualByComparingTo(byPeriod.get("2026-11-15"));

        // one meter only; a range check; the default range is the current period
        given().header("Authorization", "Bearer " + readKey).queryParam("meter", "requests").queryParam("from", "2026-11-14")
                .queryParam("to", "2026-11-16").get("/v1/customers/" + customer + "/usage").then().statusCode(200)
                .body("meters.size()", equalTo(1)).body("meters[0].eventCount", equalTo(30)).body("meters[0].days.size()", equalTo(2));
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/acme/usage").then().statusCode(200)
                .body("currentPeriod.start", Matchers.notNullValue());

        // what the dashboard shows: events rated, their freshness (accepted → rated) and the lag of each partition
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metricValue(metrics, "tally_rating_events_rated_total")).isGreaterThanOrEqualTo(60);
        assertThat(metricValue(metrics, "tally_rating_freshness_seconds_count")).isGreaterThanOrEqualTo(60);
        assertThat(metrics).contains("tally_rating_freshness_seconds_bucket{le=");
        long lagDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!metrics.contains("tally_consumer_partition_lag_records{consumer=\"rating-events\",partition=\"0\",topic=\"" + Topics.EVENTS_ACCEPTED + "\"}")) {
            assertThat(System.nanoTime()).as("per-partition lag published (every 15 s)").isLessThan(lagDeadline);
            Thread.sleep(500);
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        }
    }

    /** The value of an untagged Prometheus series in a scrape. */
    private static double metricValue(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ") || l.startsWith(series + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * MAX (grouped), UNIQUE_COUNT and a time-weighted sum through the usage API: per day and per group folded from
     * the stored observations, equal to the stored aggregates over the whole period, and re-rated exactly when the
     * peak event is retracted (MAX cannot subtract: rating recomputes from the observations).
     */
    @Test
    void nonAdditiveMetersArePerDayPerGroupAndRecomputedOnRetraction() throws Exception {
        publish(CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "peak", "bandwidth", "MAX", "bytes", List.of(), List.of("region"))),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "users", "bandwidth", "UNIQUE_COUNT", "user")),
                CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "tunnels", "gauge", "TIME_WEIGHTED_SUM", "active")));
        List<AcceptedEventV1> events = new ArrayList<>();
        // period [11-15, 12-15): eu peaks at 900 on 11-16 and 700 on 11-17; us at 300 then 500
        Object[][] traffic = {{"2026-11-16T01:00:00Z", "eu", "900", "ann"}, {"2026-11-16T02:00:00Z", "eu", "200", "bob"},
                {"2026-11-16T03:00:00Z", "us", "300", "ann"}, {"2026-11-17T04:00:00Z", "eu", "700", "cy"},
                {"2026-11-17T05:00:00Z", "us", "500", "bob"}, {"2026-11-17T06:00:00Z", "us", "100", "ann"}};
        for (int i = 0; i < traffic.length; i++) {
            Object[] t = traffic[i];
            events.add(new AcceptedEventV1(tenant, customer, "acme", "b-" + i, "bandwidth", Instant.parse((String) t[0]),
                    Map.of("region", t[1], "bytes", t[2], "user", t[3]), Instant.now(), "customer"));
        }
        // gauge: 2 tunnels from 11-16 00:00, 4 from 12:00, none from 11-17 06:00 → 24 + 72 = 96 tunnel-hours
        String[][] gauge = {{"2026-11-16T00:00:00Z", "2"}, {"2026-11-16T12:00:00Z", "4"}, {"2026-11-17T06:00:00Z", "0"}};
        for (int i = 0; i < gauge.length; i++) {
            events.add(new AcceptedEventV1(tenant, customer, "acme", "g-" + i, "gauge", Instant.parse(gauge[i][0]), Map.of("active", gauge[i][1]),
                    Instant.now(), "customer"));
        }
        publishEvents(events);
        JsonPath usage = awaitUsage(u -> u.getLong("meters.find { it.meter == 'tunnels' }.eventCount") == 3
                && u.getLong("meters.find { it.meter == 'peak' }.eventCount") == 6);

        assertThat(quantity(usage, "peak", null)).isEqualByComparingTo("1400"); // eu 900 + us 500
        assertThat(quantity(usage, "peak", "2026-11-16")).isEqualByComparingTo("1200"); // eu 900 + us 300
        assertThat(quantity(usage, "peak", "2026-11-17")).isEqualByComparingTo("1200"); // eu 700 + us 500
        assertThat(quantity(usage, "peak", "2026-11-18")).isEqualByComparingTo("0");
        assertThat(new BigDecimal(usage.getString("meters.find { it.meter == 'peak' }.groups.find { it.dimensions.region == 'eu' }.quantity")))
                .isEqualByComparingTo("900");
        assertThat(quantity(usage, "users", null)).isEqualByComparingTo("3");
        assertThat(quantity(usage, "users", "2026-11-17")).isEqualByComparingTo("3"); // cy, bob, ann
        assertThat(quantity(usage, "tunnels", null)).isEqualByComparingTo("96");
        assertThat(quantity(usage, "tunnels", "2026-11-16")).isEqualByComparingTo("72");
        assertThat(quantity(usage, "tunnels", "2026-11-17")).isEqualByComparingTo("24");
        assertThat(aggregates("peak")).isEqualTo(Map.of("{\"region\":\"eu\"}", "900", "{\"region\":\"us\"}", "500"));
        assertThat(aggregates("users")).isEqualTo(Map.of("{}", "3"));
        assertThat(aggregates("tunnels")).isEqualTo(Map.of("{}", "96"));

        // retract eu's 900 (11-16) and 700 (cy's only event): eu's peak falls back to 200, cy no longer counts
        publishRow(EventCorrectionV1.SCHEMA, List.of(
                new EventCorrectionV1(tenant, customer, "b-0", "retract", 1, events.get(0), null, "test", "key:k", Instant.now()),
                new EventCorrectionV1(tenant, customer, "b-3", "retract", 1, events.get(3), null, "test", "key:k", Instant.now())));
        usage = awaitUsage(u -> u.getLong("meters.find { it.meter == 'peak' }.eventCount") == 4);
        assertThat(aggregates("peak")).isEqualTo(Map.of("{\"region\":\"eu\"}", "200", "{\"region\":\"us\"}", "500"));
        assertThat(aggregates("users")).isEqualTo(Map.of("{}", "2"));
        assertThat(quantity(usage, "peak", null)).isEqualByComparingTo("700");
        assertThat(quantity(usage, "users", null)).isEqualByComparingTo("2");
    }

    private JsonPath awaitUsage(Predicate<JsonPath> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonPath usage = given().header("Authorization", "Bearer " + readKey).queryParam("from", "2026-11-15").queryParam("to", "2026-12-15")
                    .get("/v1/customers/acme/usage").then().statusCode(200).extract().jsonPath();
            if (done.test(usage)) {
                return usage;
            }
            assertThat(System.nanoTime()).as("usage visible").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static BigDecimal quantity(JsonPath usage, String meter, String day) {
        return new BigDecimal(usage.getString("meters.find { it.meter == '" + meter + "' }"
                + (day == null ? "" : ".days.find { it.day == '" + day + "' }") + ".quantity"));
    }

    /** The stored period aggregates of a meter in [11-15, 12-15), per group. */
    private Map<String, String> aggregates(String meter) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select dimensions, quantity from usage_aggregate
                     where tenant_id = ? and customer_id = ? and meter_key = ? and period_start = '2026-11-15T00:00:00Z'""")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, meter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getBigDecimal(2).stripTrailingZeros().toPlainString());
                }
            }
        }
        return out;
    }

    /** The running spend prices the period's rated usage with the plan version in force, rounded once per line. */
    @Test
    void spendPricesTheCurrentPeriodsUsageWithThePlanInForce() throws Exception {
        List<AcceptedEventV1> events = new ArrayList<>();
        BigDecimal lateBytes = BigDecimal.ZERO;
        int lateCount = 0;
        for (int i = 0; i < 40; i++) {
            Instant t = Instant.parse(i % 4 == 0 ? "2026-11-12T00:00:00Z" : "2026-11-20T00:00:00Z");
            BigDecimal bytes = new BigDecimal(12_345 + i * 1_001 + ".5");
            events.add(new AcceptedEventV1(tenant, customer, "acme", "s-" + i, "bandwidth", t, Map.of("bytes", bytes.toPlainString(),
                    "region", "eu"), Instant.now(), "customer"));
            if (i % 4 != 0) {
                lateBytes = lateBytes.add(bytes);
                lateCount++;
            }
        }
        publishEvents(events);
        JsonPath spend;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(100);
            spend = given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-20T00:00:00Z")
                    .get("/v1/customers/acme/spend").then().statusCode(200).extract().jsonPath();
            assertThat(System.nanoTime()).as("spend visible").isLessThan(deadline);
        } while (spend.getLong("charges[1].eventCount") < lateCount);
        assertThat(spend.getString("period.start")).isEqualTo("2026-11-15T00:00:00Z");
        assertThat(spend.getString("planKey")).isEqualTo("p");
        BigDecimal bytesExact = lateBytes.multiply(new BigDecimal("0.0001"));
        BigDecimal bytesAmount = bytesExact.setScale(2, RoundingMode.HALF_EVEN);
        BigDecimal requestsAmount = new BigDecimal(lateCount - 10).multiply(new BigDecimal("0.05")).setScale(2, RoundingMode.HALF_EVEN);
        assertThat(new BigDecimal(spend.getString("charges[0].quantity"))).isEqualByComparingTo(lateBytes);
        assertThat(new BigDecimal(spend.getString("charges[0].exactAmount"))).isEqualByComparingTo(bytesExact);
        assertThat(new BigDecimal(spend.getString("charges[0].amount"))).isEqualByComparingTo(bytesAmount);
        assertThat(spend.getString("charges[0].description")).isEqualTo("Bandwidth");
        assertThat(new BigDecimal(spend.getString("charges[1].amount"))).isEqualByComparingTo(requestsAmount);
        assertThat(new BigDecimal(spend.getString("total"))).isEqualByComparingTo(bytesAmount.add(requestsAmount));
        assertThat(spend.getList("charges[1].explanation")).hasSize(2);
        // the snapshots rating hands to invoicing carry quantities, not prices: invoicing's generator is the one pricer
        RatedUsageV1 last = null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select p from outbox, unnest(payloads) as p where topic = 'tally.usage.rated' and p like ? order by id""")) {
            ps.setString(1, "%\"" + tenant + "\"%\"bytes\"%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RatedUsageV1 r = json.readValue(rs.getString(1), RatedUsageV1.class);
                    if (r.meterKey().equals("bytes") && r.periodStart().equals(Instant.parse("2026-11-15T00:00:00Z"))
                            && (last == null || r.version() > last.version())) {
                        last = r;
                    }
                }
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.quantity()).isEqualByComparingTo(lateBytes);
        assertThat(last.charge()).isNull();
        // the earlier period holds only the events before the 15th
        given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-14T00:00:00Z").get("/v1/customers/acme/spend")
                .then().statusCode(200).body("period.end", equalTo("2026-11-15T00:00:00Z")).body("charges[1].eventCount", equalTo(10))
                .body("charges[1].amount", equalTo("0.00"));
        // before the subscription: usage is metered, not priced
        given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-10-20T00:00:00Z").get("/v1/customers/acme/spend")
                .then().statusCode(409).body("type", equalTo("https://tally.dev/problems/no-subscription"));
    }

    /**
     * A matrix charge in the running spend (issue 19): the grouped meter's groups priced per cell — eu at its own price,
     * us at its own, any other region at the default — exactly as the invoice will price them.
     */
    @Test
    void spendPricesAMatrixChargePerRegion() throws Exception {
        String globex = "c_" + UUID.randomUUID().toString().substring(0, 8);
        Subscription sub = new Subscription("s_" + globex, globex, Instant.parse("2026-11-01T00:00:00Z"), null, BillingCycle.CALENDAR_MONTH,
                null, List.of(new Subscription.Phase(Instant.parse("2026-11-01T00:00:00Z"), "m", 1, Subscription.Reason.START, null)));
        PlanSpec.PriceSpec matrix = new PlanSpec.PriceSpec("matrix", null, null, null, null, null, null, null, null, List.of("region"), List.of(
                new PlanSpec.MatrixEntrySpec(Map.of("region", "eu"), PlanSpec.PriceSpec.perUnit("0.10")),
                new PlanSpec.MatrixEntrySpec(Map.of("region", "us"), PlanSpec.PriceSpec.perUnit("0.08"))), PlanSpec.PriceSpec.perUnit("0.12"),
                null, null, null);
        publish(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, globex, "globex", "USD", null)),
                CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenant, sub)),
                CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenant, "m", 1, "published", PlanSpec.of(1, "m", "M", "USD", List.of(
                        new PlanSpec.ChargeSpec("bytes", "Bandwidth by region", matrix))))));
        List<AcceptedEventV1> events = new ArrayList<>();
        String[] regions = {"eu", "us", "ap"};
        for (int i = 0; i < 30; i++) {
            events.add(new AcceptedEventV1(tenant, globex, "globex", "m-" + i, "bandwidth", Instant.parse("2026-11-20T00:00:00Z"),
                    Map.of("bytes", "10.5", "region", regions[i % 3]), Instant.now(), "customer"));
        }
        publishFor(globex, AcceptedEventV1.SCHEMA, new ArrayList<>(events));
        JsonPath spend;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(100);
            spend = given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-20T00:00:00Z")
                    .get("/v1/customers/globex/spend").then().statusCode(200).extract().jsonPath();
            assertThat(System.nanoTime()).as("spend visible").isLessThan(deadline);
        } while (spend.getLong("charges[0].eventCount") < 30);
        // 105 bytes per region: eu 105 × 0.10 = 10.50, us 105 × 0.08 = 8.40, ap 105 × 0.12 (default) = 12.60
        assertThat(spend.getString("charges[0].quantity")).isEqualTo("315");
        assertThat(spend.getString("charges[0].amount")).isEqualTo("31.50");
        assertThat(spend.getList("charges[0].explanation", String.class)).containsExactly("{region=ap} (default) 105 × USD 0.12 = USD 12.6",
                "{region=eu} 105 × USD 0.1 = USD 10.5", "{region=us} 105 × USD 0.08 = USD 8.4");
        assertThat(spend.getString("total")).isEqualTo("31.50");

        // a negotiated price for this customer (from the catalog topic) replaces the matrix: 315 × 0.05 = 15.75
        publish(CatalogRecordV1.of(new CatalogRecordV1.PriceOverrideState(tenant, new PriceOverride("po_1", globex, null, "m", "bytes",
                PlanSpec.PriceSpec.perUnit("0.05"), Instant.parse("2026-11-01T00:00:00Z"), null, "contract"))));
        given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-20T00:00:00Z").get("/v1/customers/globex/spend").then()
                .statusCode(200).body("charges[0].amount", equalTo("15.75")).body("total", equalTo("15.75"))
                .body("charges[0].explanation[0]", Matchers.startsWith("negotiated price (override po_1"));
        // and only for this customer
        given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-20T00:00:00Z").get("/v1/customers/acme/spend").then()
                .statusCode(200).body("charges[0].explanation[0]", Matchers.not(Matchers.startsWith("negotiated")));
    }

    /**
     * An upgrade mid-period (issue 19): the events before it (as ingest stamps them) are priced by the old version, those
     * after it by the new one — the spend API as the draft invoice will price them; a retraction takes its event out of
     * its own segment.
     */
    @Test
    void spendPricesEachPlanSegmentByItsOwnVersion() throws Exception {
        String initech = "c_" + UUID.randomUUID().toString().substring(0, 8);
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        Instant upgrade = Instant.parse("2026-11-16T12:00:00Z");
        Subscription sub = new Subscription("s_" + initech, initech, start, null, BillingCycle.CALENDAR_MONTH, null, List.of(
                new Subscription.Phase(start, "u", 1, Subscription.Reason.START, null),
                new Subscription.Phase(upgrade, "u", 2, Subscription.Reason.CHANGE, null)));
        publish(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, initech, "initech", "USD", null)),
                CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenant, sub)),
                CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenant, "u", 1, "published", PlanSpec.of(1, "u", "U", "USD", List.of(
                        new PlanSpec.ChargeSpec("bytes", "Bandwidth", PlanSpec.PriceSpec.perUnit("0.10")))))),
                CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenant, "u", 2, "published", PlanSpec.of(1, "u", "U", "USD", List.of(
                        new PlanSpec.ChargeSpec("bytes", "Bandwidth", PlanSpec.PriceSpec.perUnit("0.04")))))));
        BillingPeriod nov = sub.periodAt(upgrade).orElseThrow();
        List<AcceptedEventV1> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Instant t = i < 10 ? Instant.parse("2026-11-10T00:00:00Z") : Instant.parse("2026-11-20T00:00:00Z");
            events.add(new AcceptedEventV1(tenant, initech, "initech", "u-" + i, "bandwidth", t, Map.of("bytes", "10.5"), Instant.now(),
                    "customer", nov.start(), nov.end(), sub.segmentAt(t).orElse(null)));
        }
        assertThat(events.get(0).segmentStart()).isNull();
        assertThat(events.get(29).segmentStart()).isEqualTo(upgrade);
        publishFor(initech, AcceptedEventV1.SCHEMA, new ArrayList<>(events));
        JsonPath spend = awaitSpend("initech", 30);
        // 10 × 10.5 = 105 at 0.10 = 10.50 before the upgrade; 20 × 10.5 = 210 at 0.04 = 8.40 after: 18.90, not 315 × 0.04
        assertThat(spend.getString("charges[0].quantity")).isEqualTo("315");
        assertThat(spend.getString("charges[0].amount")).isEqualTo("18.90");
        assertThat(spend.getString("total")).isEqualTo("18.90");
        assertThat(spend.getList("charges[0].explanation", String.class)).containsExactly(
                "2026-11-01T00:00:00Z to 2026-11-16T12:00:00Z on u v1: 105 (10 events) = USD 10.5", "  105 × USD 0.1 = USD 10.5",
                "2026-11-16T12:00:00Z to 2026-12-01T00:00:00Z on u v2: 210 (20 events) = USD 8.4", "  210 × USD 0.04 = USD 8.4");

        // a retraction of an event after the upgrade: 200 at 0.04 = 7.98 … 10.50 + 7.98 = 18.48
        publishFor(initech, EventCorrectionV1.SCHEMA, List.of(new EventCorrectionV1(tenant, initech, "u-29", "retract", 1, events.get(29), null,
                "test", "key:k", Instant.now())));
        spend = awaitSpend("initech", 29);
        assertThat(spend.getString("charges[0].amount")).isEqualTo("18.48");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select segments::text from usage_aggregate where tenant_id = ? and customer_id = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, initech);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                List<RatedUsageV1.Segment> parts = StoredSegments.parse(rs.getString(1));
                assertThat(parts).hasSize(1);
                assertThat(parts.get(0).start()).isEqualTo(upgrade);
                assertThat(parts.get(0).quantity()).isEqualByComparingTo("199.5");
                assertThat(parts.get(0).eventCount()).isEqualTo(19);
            }
        }
    }

    /** One outbox row's worth of messages (events or corrections) of one customer, as ingest's relay publishes them. */
    private void publishFor(String customerId, String schema, List<Object> messages) throws Exception {
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            for (int i = 0; i < messages.size(); i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, tenant + "/" + customerId,
                        json.writeValueAsString(messages.get(i)));
                r.headers().add(Headers.OUTBOX_ID, Long.toString(row).getBytes(StandardCharsets.UTF_8))
                        .add(Headers.POSITION, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                        .add(Headers.SCHEMA, schema.getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        }
    }

    private JsonPath awaitSpend(String externalId, long events) throws Exception {
        JsonPath spend;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(100);
            spend = given().header("Authorization", "Bearer " + readKey).queryParam("at", "2026-11-20T00:00:00Z")
                    .get("/v1/customers/" + externalId + "/spend").then().statusCode(200).extract().jsonPath();
            assertThat(System.nanoTime()).as("spend visible").isLessThan(deadline);
        } while (spend.getLong("charges[0].eventCount") != events);
        return spend;
    }

    /**
     * A hard limit: the entitlement answer follows usage (from memory), each threshold is announced
     * once per period — also when a retraction takes usage back below it and new usage crosses it again.
     */
    @Test
    void limitsBlockAtTheLimitAndEachThresholdAlertsOncePerPeriod() throws Exception {
        publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(tenant, customer, "requests", new BigDecimal("20"), true, List.of(50, 100), false)));
        Instant t = Instant.now(); // usage in the current period, which the entitlement check is about
        periodStart = catalog.periodOf(tenant, customer, t).start();
        String path = "/v1/customers/acme/entitlements/requests";
        given().header("Authorization", "Bearer " + ingestKey).get(path).then().statusCode(200)
                .body("allowed", equalTo(true)).body("blocked", equalTo(false)).body("limit", equalTo("20"))
                .body("remaining", equalTo("20")).body("used", equalTo("0"));
        List<AcceptedEventV1> first = events("l-", 0, 12, t);
        publishEvents(first);
        awaitAlerts(1);
        // the cache is replaced right after the poll's commit (and never more than a second old)
        JsonPath check = awaitEntitlement(path, "12");
        assertThat(check.getString("remaining")).isEqualTo("8");
        assertThat(check.getBoolean("allowed")).isTrue();
        publishEvents(events("l-", 12, 22, t));
        awaitAlerts(2);
        check = awaitEntitlement(path, "22");
        assertThat(check.getBoolean("blocked")).isTrue();
        assertThat(check.getBoolean("allowed")).isFalse();
        assertThat(check.getString("used")).isEqualTo("22");
        assertThat(check.getString("remaining")).isEqualTo("0");
        assertThat(check.getList("reached")).containsExactly(50, 100);

        // take five out (retractions), then put five more in: 22 → 17 → 22 crosses 100 % again, but it was announced already
        List<Object> retractions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            retractions.add(new EventCorrectionV1(tenant, customer, "l-" + i, "retract", 1, first.get(i), null, "test",
                    "key:k", Instant.now()));
        }
        publishRow(EventCorrectionV1.SCHEMA, retractions);
        publishEvents(events("l-", 22, 27, t));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (requestsInPeriod() != 22) {
            assertThat(System.nanoTime()).as("third batch rated").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(300);
        List<AlertV1> alerts = alerts();
        assertThat(alerts).extracting(AlertV1::percent).containsExactly(50, 100);
        assertThat(alerts.get(0).quantity()).isEqualByComparingTo("12");
        assertThat(alerts.get(0).blocked()).isFalse();
        assertThat(alerts.get(1).quantity()).isEqualByComparingTo("22");
        assertThat(alerts.get(1).blocked()).isTrue();
        assertThat(alerts.get(1).periodStart()).isEqualTo(periodStart);

        // no limit on a meter: always allowed; an ingest key may check entitlements but not read usage
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/acme/entitlements/bytes").then().statusCode(200)
                .body("allowed", equalTo(true)).body("limit", Matchers.nullValue());
        given().header("Authorization", "Bearer " + ingestKey).get("/v1/customers/acme/usage").then().statusCode(403);
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/acme/entitlements/nope").then().statusCode(404);
    }

    /** A spend budget: the period's running amount (as the draft would price it) alerts at each threshold once. */
    @Test
    void aSpendBudgetAlertsAsTheRunningAmountCrossesItsThresholds() throws Exception {
        publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(tenant, customer, CatalogRecordV1.Limit.SPEND, new BigDecimal("1.00"), false,
                List.of(50, 100), false)));
        Instant t = Instant.now();
        periodStart = catalog.periodOf(tenant, customer, t).start();
        // bytes at USD 0.0001 each; the first 10 requests are free: 6,000 bytes = USD 0.60, then 10,400 bytes = USD 1.04
        List<AcceptedEventV1> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(new AcceptedEventV1(tenant, customer, "acme", "b-" + i, "bandwidth", t, Map.of("bytes", "1500"), t, "customer"));
        }
        publishEvents(first);
        awaitAlerts(1);
        List<AcceptedEventV1> second = new ArrayList<>();
        for (int i = 4; i < 8; i++) {
            second.add(new AcceptedEventV1(tenant, customer, "acme", "b-" + i, "bandwidth", t, Map.of("bytes", "1100"), t, "customer"));
        }
        publishEvents(second);
        awaitAlerts(2);
        Thread.sleep(300);
        List<AlertV1> alerts = alerts();
        assertThat(alerts).extracting(AlertV1::meterKey).containsOnly("$spend");
        assertThat(alerts).extracting(AlertV1::percent).containsExactly(50, 100);
        assertThat(alerts.get(0).quantity()).isEqualByComparingTo("0.60");
        assertThat(alerts.get(1).quantity()).isEqualByComparingTo("1.04");
        assertThat(alerts.get(1).blocked()).isFalse();
        // and the spend API agrees with the amount the alert saw
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/acme/spend").then().statusCode(200)
                .body("total", equalTo("1.04"));
    }

    private Instant periodStart;

    private JsonPath awaitEntitlement(String path, String used) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (true) {
            JsonPath check = given().header("Authorization", "Bearer " + ingestKey).get(path).then().statusCode(200).extract().jsonPath();
            if (check.getString("used").equals(used) || System.nanoTime() > deadline) {
                assertThat(check.getString("used")).isEqualTo(used);
                return check;
            }
            Thread.sleep(20);
        }
    }

    private List<AcceptedEventV1> events(String prefix, int from, int to, Instant t) {
        List<AcceptedEventV1> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new AcceptedEventV1(tenant, customer, "acme", prefix + i, "bandwidth", t, Map.of("bytes", "1"), t, "customer"));
        }
        return out;
    }

    private long requestsInPeriod() throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select coalesce(sum(event_count), 0) from usage_aggregate
                     where tenant_id = ? and customer_id = ? and meter_key = 'requests' and period_start = ?""")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setTimestamp(3, Timestamp.from(periodStart));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void awaitAlerts(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (alerts().size() < n) {
            assertThat(System.nanoTime()).as(n + " alerts").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private List<AlertV1> alerts() throws Exception {
        List<AlertV1> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select p from outbox, unnest(payloads) with ordinality as u(p, n) where topic = ? and p like ? order by id, n")) {
            ps.setString(1, Topics.ALERTS);
            ps.setString(2, "%\"" + tenant + "\"%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(json.readValue(rs.getString(1), AlertV1.class));
                }
            }
        }
        return out;
    }

    @Test
    void theUsageApiNeedsAReadKeyAndSeesOnlyItsTenant() throws Exception {
        given().get("/v1/customers/acme/usage").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer tly_forged").get("/v1/customers/acme/usage").then().statusCode(401);
        given().header("Authorization", "Bearer " + ingestKey).get("/v1/customers/acme/usage").then().statusCode(403)
                .contentType("application/problem+json");
        // another tenant's customer, by Tally id and by external id: not found
        String otherTenant = tenant;
        String otherCustomer = customer;
        catalog();
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/" + otherCustomer + "/usage").then().statusCode(404)
                .contentType("application/problem+json");
        assertThat(otherTenant).isNotEqualTo(tenant);
        given().header("Authorization", "Bearer " + readKey).queryParam("from", "2026-11-05").queryParam("to", "2026-11-01")
                .get("/v1/customers/acme/usage").then().statusCode(400).body("type", equalTo("https://tally.dev/problems/invalid-range"));
        given().header("Authorization", "Bearer " + readKey).queryParam("from", "yesterday")
                .get("/v1/customers/acme/usage").then().statusCode(400).body("field", equalTo("from"));
        given().header("Authorization", "Bearer " + readKey).queryParam("meter", "nope")
                .get("/v1/customers/acme/usage").then().statusCode(404);
    }

    /**
     * A customer portal session (a token invoicing signs with the shared secret) reads its own customer's usage and
     * entitlements here, and nothing of another customer; a tampered, expired or foreign-signed token is refused.
     */
    @Test
    void aPortalSessionReadsItsOwnCustomersUsageOnly() throws Exception {
        String secret = "test-portal-secret-not-for-production";
        long in15 = Instant.now().plusSeconds(900).getEpochSecond();
        String mine = PortalTokens.issue(secret, new PortalTokens.Claims("ps_1", tenant, customer, "acme", List.of("usage"), in15, "en"));
        given().header("Authorization", "Bearer " + mine).get("/v1/customers/acme/usage").then().statusCode(200).body("externalId",
                equalTo("acme"));
        given().header("Authorization", "Bearer " + mine).get("/v1/customers/acme/entitlements/bytes").then().statusCode(200);
        given().header("Authorization", "Bearer " + mine).get("/v1/customers/other/usage").then().statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + mine).get("/v1/customers/acme/spend").then().statusCode(404);
        String otherTenant = PortalTokens.issue(secret, new PortalTokens.Claims("ps_2", "t_other", customer, "acme", List.of("usage"), in15,
                "en"));
        given().header("Authorization", "Bearer " + otherTenant).get("/v1/customers/acme/usage").then().statusCode(404);
        String noUsage = PortalTokens.issue(secret, new PortalTokens.Claims("ps_3", tenant, customer, "acme", List.of("invoices"), in15, "en"));
        given().header("Authorization", "Bearer " + noUsage).get("/v1/customers/acme/usage").then().statusCode(403);
        String expired = PortalTokens.issue(secret, new PortalTokens.Claims("ps_4", tenant, customer, "acme", List.of("usage"),
                Instant.now().minusSeconds(1).getEpochSecond(), "en"));
        given().header("Authorization", "Bearer " + expired).get("/v1/customers/acme/usage").then().statusCode(401);
        String forged = PortalTokens.issue("another-secret", new PortalTokens.Claims("ps_5", tenant, customer, "acme", List.of("usage"), in15,
                "en"));
        given().header("Authorization", "Bearer " + forged).get("/v1/customers/acme/usage").then().statusCode(401);
        String tampered = mine.substring(0, mine.length() - 2) + (mine.endsWith("A") ? "BB" : "AA");
        given().header("Authorization", "Bearer " + tampered).get("/v1/customers/acme/usage").then().statusCode(401);
    }
}
