package dev.tally.rating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Observation;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.usage.StoredSegments;
import dev.tally.rating.kafka.EventsConsumer;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A seeded stream — events out of time order across three months and three customers (one on an
 * anchored subscription), outbox rows re-published whole and cut short, retractions and amendments,
 * and rating stopped and restarted in the middle — must leave exactly the aggregates and daily rows
 * computed offline from the final state of the same events. The meters cover every aggregation: the
 * non-additive ones (MAX, MIN, AVG, UNIQUE_COUNT, LATEST, PERCENTILE, TIME_WEIGHTED_SUM) are computed offline
 * by folding each period's final events into shared-model's accumulators in one go, while rating merges
 * poll by poll and recomputes on corrections.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class OfflineComparisonTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;
    @Inject
    EventsConsumer consumer;

    record Row(String schema, List<Object> messages, String key) {
    }

    @Test
    void aHostileStreamLeavesExactlyTheOfflineAggregates() throws Exception {
        long seed = 20261130L;
        Random r = new Random(seed);
        String tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        List<String> customers = List.of("c_a_" + tenant, "c_b_" + tenant, "c_c_" + tenant);
        // an upgrade on 2026-10-20 06:00 cuts the period [10-10, 11-10) in two: ingest stamps the later part's events
        Subscription sub = new Subscription("s_" + tenant, customers.get(0), Instant.parse("2026-09-05T12:00:00Z"), null,
                BillingCycle.monthly(10), null, List.of(new Subscription.Phase(Instant.parse("2026-09-05T12:00:00Z"), "p", 1,
                        Subscription.Reason.START, null), new Subscription.Phase(Instant.parse("2026-10-20T06:00:00Z"), "p", 2,
                        Subscription.Reason.CHANGE, null)));
        List<CatalogRecordV1.Meter> meters = List.of(
                new CatalogRecordV1.Meter(tenant, "requests", "http", "COUNT", null),
                new CatalogRecordV1.Meter(tenant, "bytes", "http", "SUM", "bytes", List.of(), List.of("region")),
                new CatalogRecordV1.Meter(tenant, "eu_bytes", "http", "SUM", "bytes", List.of(new FilterSpec("region", "equals", List.of("eu"))),
                        List.of()),
                new CatalogRecordV1.Meter(tenant, "errors", "error", "COUNT", null),
                new CatalogRecordV1.Meter(tenant, "peak_bytes", "http", "MAX", "bytes", List.of(), List.of("region")),
                new CatalogRecordV1.Meter(tenant, "min_bytes", "http", "MIN", "bytes"),
                new CatalogRecordV1.Meter(tenant, "avg_bytes", "http", "AVG", "bytes"),
                new CatalogRecordV1.Meter(tenant, "users", "http", "UNIQUE_COUNT", "user", List.of(), List.of("region")),
                new CatalogRecordV1.Meter(tenant, "last_bytes", "http", "LATEST", "bytes"),
                new CatalogRecordV1.Meter(tenant, "p90_bytes", "http", "PERCENTILE", "bytes", List.of(), List.of(), new BigDecimal("90")),
                new CatalogRecordV1.Meter(tenant, "byte_hours", "http", "TIME_WEIGHTED_SUM", "bytes"));
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            List<CatalogRecordV1> records = new ArrayList<>();
            meters.forEach(m -> records.add(CatalogRecordV1.of(m)));
            records.add(CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenant, sub)));
            for (CatalogRecordV1 c : records) {
                p.send(new ProducerRecord<>(Topics.CATALOG, c.key(), json.writeValueAsString(c))).get();
            }
        }
        assertThat(catalog.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

        // the events, their final state, and the rows the relay publishes (in commit order)
        Instant from = Instant.parse("2026-09-01T00:00:00Z");
        long span = Duration.ofDays(90).toSeconds();
        Map<String, AcceptedEventV1> current = new LinkedHashMap<>();
        Map<String, Integer> sequence = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        int n = 0;
        for (int batch = 0; batch < 60; batch++) {
            String customer = customers.get(r.nextInt(customers.size()));
            List<Object> events = new ArrayList<>();
            for (int i = 0, size = 1 + r.nextInt(80); i < size; i++) {
                Instant t = from.plusSeconds((long) (r.nextDouble() * span)).plusNanos(r.nextBoolean() ? r.nextInt(1_000_000_000) : 0);
                Map<String, Object> props = new HashMap<>();
                if (r.nextInt(10) > 0) {
                    props.put("user", "u" + r.nextInt(40));
                }
                props.put("bytes", new BigDecimal(r.nextInt(1_000_000)).movePointLeft(r.nextInt(4)).toPlainString());
                int region = r.nextInt(3);
                if (region < 2) {
                    props.put("region", region == 0 ? "eu" : "us");
                }
                BillingPeriod stamped = customer.equals(customers.get(0)) ? sub.periodAt(t).orElse(null) : null;
                AcceptedEventV1 e = new AcceptedEventV1(tenant, customer, null, "e-" + n++, r.nextInt(5) == 0 ? "error" : "http", t, props,
                        Instant.now(), "customer", stamped == null ? null : stamped.start(), stamped == null ? null : stamped.end(),
                        stamped == null ? null : sub.segmentAt(t).orElse(null));
                events.add(e);
                current.put(e.eventId(), e);
            }
            rows.add(new Row(AcceptedEventV1.SCHEMA, events, tenant + "/" + customer));
            // now and then, corrections of earlier events of this customer (after their rows)
            if (batch % 4 == 3) {
                List<Object> corrections = new ArrayList<>();
                for (AcceptedEventV1 e : new ArrayList<>(current.values())) {
                    if (!e.customerId().equals(customer) || r.nextInt(10) != 0 || e.properties() == null) {
                        continue;
                    }
                    int seq = sequence.merge(e.eventId(), 1, Integer::sum);
                    if (r.nextBoolean()) {
                        corrections.add(new EventCorrectionV1(tenant, customer, e.eventId(), "retract", seq, e, null, "test", "key:k", Instant.now()));
                        current.put(e.eventId(), new AcceptedEventV1(tenant, customer, null, e.eventId(), e.type(), e.timestamp(), null,
                                e.acceptedAt(), "retracted"));
                    } else {
                        Map<String, Object> props = new HashMap<>(e.properties());
                        props.put("bytes", new BigDecimal(r.nextInt(5000)).toPlainString());
                        props.put("region", "eu");
                        AcceptedEventV1 amended = new AcceptedEventV1(tenant, customer, null, e.eventId(), e.type(), e.timestamp(), props,
                                e.acceptedAt(), "customer", e.periodStart(), e.periodEnd(), e.segmentStart());
                        corrections.add(new EventCorrectionV1(tenant, customer, e.eventId(), "amend", seq, e, amended, "test", "key:k",
                                Instant.now()));
                        current.put(e.eventId(), amended);
                    }
                }
                if (!corrections.isEmpty()) {
                    rows.add(new Row(EventCorrectionV1.SCHEMA, corrections, tenant + "/" + customer));
                }
            }
        }

        long base = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            for (int i = 0; i < rows.size(); i++) {
                publish(p, base + i, rows.get(i), rows.get(i).messages().size());
                if (r.nextInt(5) == 0) { // the relay crashed before marking: an earlier row comes again, whole
                    int again = r.nextInt(i + 1);
                    publish(p, base + again, rows.get(again), rows.get(again).messages().size());
                }
                if (r.nextInt(10) == 0 && rows.get(i).messages().size() > 1) { // a cut-short copy of this row
                    publish(p, base + i, rows.get(i), 1 + r.nextInt(rows.get(i).messages().size() - 1));
                }
                if (i == rows.size() / 2) {
                    p.flush();
                    long before = consumer.applied();
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (consumer.applied() == before && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    consumer.stop(); // mid-stream, possibly mid-poll
                }
            }
            p.flush();
        }
        consumer.start();

        // offline: the final state of every event, through the same meter definitions
        Map<String, BigDecimal> expectedPeriods = new TreeMap<>();
        Map<String, BigDecimal> expectedDays = new TreeMap<>();
        Map<String, List<Observation>> observed = new TreeMap<>();
        Map<String, MeterDefinition> definitionOf = new HashMap<>();
        Map<String, BillingPeriod> periodOf = new HashMap<>();
        for (AcceptedEventV1 e : current.values()) {
            if (e.properties() == null) {
                continue; // retracted
            }
            UsageEvent ev = new UsageEvent(e.eventId(), e.type(), null, e.timestamp(), e.properties());
            BillingPeriod period = e.customerId().equals(customers.get(0)) ? sub.periodAt(e.timestamp())
                    .orElse(BillingPeriod.calendarMonthOf(e.timestamp())) : BillingPeriod.calendarMonthOf(e.timestamp());
            for (CatalogRecordV1.Meter m : meters) {
                MeterDefinition d = new MeterDefinition(m.meterKey(), m.eventType(), Aggregation.valueOf(m.aggregation()),
                        m.property(), FilterSpec.compile(m.filters()), m.groupBy(), m.percentile());
                if (!d.aggregation().additive()) {
                    Observation o = d.observation(ev);
                    if (o != null) {
                        String dims = json.writeValueAsString(d.groupBy().isEmpty() ? Map.of() : d.group(ev).dimensions());
                        String k = e.customerId() + "|" + m.meterKey() + "|" + dims + "|" + period.start();
                        observed.computeIfAbsent(k, x -> new ArrayList<>()).add(o);
                        definitionOf.put(k, d);
                        periodOf.put(k, period);
                    }
                    continue;
                }
                BigDecimal c = d.contribution(ev);
                if (c == null) {
                    continue;
                }
                String dims = json.writeValueAsString(d.groupBy().isEmpty() ? Map.of() : d.group(ev).dimensions());
                String k = e.customerId() + "|" + m.meterKey() + "|" + dims;
                expectedPeriods.merge(k + "|" + period.start(), c, BigDecimal::add);
                expectedDays.merge(k + "|" + LocalDate.ofInstant(e.timestamp(), ZoneOffset.UTC), c, BigDecimal::add);
                expectedPeriods.merge(k + "|" + period.start() + "|n", BigDecimal.ONE, BigDecimal::add);
                if (e.segmentStart() != null) { // the part in the upgrade's segment
                    expectedPeriods.merge(k + "|" + period.start() + "|from " + e.segmentStart(), c, BigDecimal::add);
                    expectedPeriods.merge(k + "|" + period.start() + "|from " + e.segmentStart() + "|n", BigDecimal.ONE, BigDecimal::add);
                }
            }
        }
        // non-additive: each period's final observations folded in one go, in a shuffled order
        observed.forEach((k, list) -> {
            List<Observation> shuffled = new ArrayList<>(list);
            Collections.shuffle(shuffled, r);
            MeterDefinition d = definitionOf.get(k);
            expectedPeriods.put(k, d.quantity(d.empty(periodOf.get(k)).addAll(shuffled)));
            expectedPeriods.put(k + "|n", BigDecimal.valueOf(list.size()));
        });
        assertThat(observed.keySet()).anyMatch(k -> k.contains("|byte_hours|"));
        assertThat(observed.keySet()).anyMatch(k -> k.contains("|users|{\"region\":\"us\"}"));

        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, BigDecimal> periods = periods(tenant);
        while (!same(periods, expectedPeriods) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            periods = periods(tenant);
        }
        Thread.sleep(1000); // anything applied twice would arrive by now
        periods = periods(tenant);
        assertThat(strip(periods)).isEqualTo(strip(expectedPeriods));
        assertThat(strip(days(tenant))).isEqualTo(strip(expectedDays));
        assertThat(expectedPeriods.keySet().stream().filter(k -> k.contains(customers.get(0)) && k.contains("T12:00:00Z"))).isNotEmpty();
        assertThat(expectedPeriods.keySet()).anyMatch(k -> k.contains("|bytes|") && k.endsWith("|from 2026-10-20T06:00:00Z"));
    }

    private void publish(Producer<String, String> p, long outboxId, Row row, int upTo) throws Exception {
        for (int i = 0; i < upTo; i++) {
            ProducerRecord<String, String> rec = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, row.key(), json.writeValueAsString(row.messages().get(i)));
            rec.headers().add(Headers.OUTBOX_ID, Long.toString(outboxId).getBytes(StandardCharsets.UTF_8))
                    .add(Headers.POSITION, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                    .add(Headers.SCHEMA, row.schema().getBytes(StandardCharsets.UTF_8));
            p.send(rec);
        }
    }

    private static boolean same(Map<String, BigDecimal> a, Map<String, BigDecimal> b) {
        return strip(a).equals(strip(b));
    }

    /** Zero rows (everything retracted) are equal to absent rows; decimals compared by value. */
    private static Map<String, String> strip(Map<String, BigDecimal> m) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v.signum() != 0) {
                out.put(k, v.stripTrailingZeros().toPlainString());
            }
        });
        return out;
    }

    private Map<String, BigDecimal> periods(String tenant) throws Exception {
        Map<String, BigDecimal> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select customer_id, meter_key, dimensions, period_start, quantity, event_count, segments::text from usage_aggregate"
                             + " where tenant_id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String k = rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getTimestamp(4).toInstant();
                    out.put(k, rs.getBigDecimal(5));
                    out.put(k + "|n", BigDecimal.valueOf(rs.getLong(6)));
                    List<RatedUsageV1.Segment> parts = StoredSegments.parse(rs.getString(7));
                    for (RatedUsageV1.Segment part : parts == null ? List.<RatedUsageV1.Segment>of() : parts) {
                        out.put(k + "|from " + part.start(), part.quantity());
                        out.put(k + "|from " + part.start() + "|n", BigDecimal.valueOf(part.eventCount()));
                    }
                }
            }
        }
        return out;
    }

    private Map<String, BigDecimal> days(String tenant) throws Exception {
        Map<String, BigDecimal> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select customer_id, meter_key, dimensions, day, quantity from usage_daily where tenant_id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getObject(4, LocalDate.class),
                            rs.getBigDecimal(5));
                }
            }
        }
        return out;
    }
}
