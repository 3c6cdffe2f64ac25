package dev.tally.rating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.FilterSpec;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PartitionKeys;
import dev.tally.platform.kafka.StoredOffsets;
import dev.tally.rating.kafka.EventsConsumer;
import dev.tally.rating.store.AppliedBatchExpiry;
import dev.tally.rating.store.RatingStore;
import dev.tally.testing.LocalStackResource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class RatingExactlyOnceTest {
    private static final Instant EVENT_TIME = Instant.parse("2026-11-10T08:00:00Z");

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
    @Inject
    InMemorySpanExporter spans;

    String tenant;
    String customer;

    @BeforeEach
    void catalog() throws Exception {
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        customer = "c_" + UUID.randomUUID().toString().substring(0, 8);
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (CatalogRecordV1 r : List.of(
                    CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "bandwidth", "bandwidth", "SUM", "bytes")),
                    CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "requests", "bandwidth", "COUNT", null)),
                    CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, "eu_bytes", "bandwidth", "SUM", "bytes",
                            List.of(new FilterSpec("region", "equals", List.of("eu"))), List.of())))) {
                p.send(new ProducerRecord<>(Topics.CATALOG, r.key(), json.writeValueAsString(r))).get();
            }
        }
        assertThat(catalog.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        spans.reset();
    }

    /** Publishes one outbox row's worth of events exactly as ingest's relay does. */
    private void publishRow(Producer<String, String> p, long outboxId, List<AcceptedEventV1> events, String traceparent) throws Exception {
        publishRow(p, outboxId, AcceptedEventV1.SCHEMA, events.stream().map(e -> (Object) e).toList(), traceparent);
    }

    private void publishRow(Producer<String, String> p, long outboxId, String schema, List<Object> messages, String traceparent)
            throws Exception {
        for (int i = 0; i < messages.size(); i++) {
            Object m = messages.get(i);
            String key = m instanceof AcceptedEventV1 e ? e.tenantId() + "/" + e.customerId()
                    : ((EventCorrectionV1) m).tenantId() + "/" + ((EventCorrectionV1) m).customerId();
            ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, key, json.writeValueAsString(m));
            r.headers().add(Headers.OUTBOX_ID, Long.toString(outboxId).getBytes(StandardCharsets.UTF_8))
                    .add(Headers.POSITION, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                    .add(Headers.SCHEMA, schema.getBytes(StandardCharsets.UTF_8));
            if (traceparent != null) {
                r.headers().add(Headers.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            }
            p.send(r);
        }
        p.flush();
    }

    private AcceptedEventV1 event(String id, String bytes) {
        return new AcceptedEventV1(tenant, customer, "acme", id, "bandwidth", EVENT_TIME, Map.of("bytes", bytes), Instant.now(), "customer");
    }

    @Test
    void restartingMidStreamAndRepublishedRowsCountEveryEventExactlyOnce() throws Exception {
        long outboxBase = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        int rows = 40;
        int perRow = 50;
        List<List<AcceptedEventV1>> batches = new ArrayList<>();
        BigDecimal expectedBytes = BigDecimal.ZERO;
        for (int row = 0; row < rows; row++) {
            List<AcceptedEventV1> batch = new ArrayList<>();
            for (int i = 0; i < perRow; i++) {
                String bytes = (row * perRow + i) + ".25";
                batch.add(event("e-" + row + "-" + i, bytes));
                expectedBytes = expectedBytes.add(new BigDecimal(bytes));
            }
            batches.add(batch);
        }
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            for (int row = 0; row < rows / 2; row++) {
                publishRow(p, outboxBase + row, batches.get(row), null);
            }
            // stop the consumer while it is working through the first half
            long before = consumer.applied();
            await(() -> consumer.applied() > before, "rating to start applying");
            consumer.stop();

            // the relay "crashed" before marking: it re-publishes the first rows, then goes on
            for (int row = 0; row < rows / 2; row++) {
                publishRow(p, outboxBase + row, batches.get(row), null);
            }
            for (int row = rows / 2; row < rows; row++) {
                publishRow(p, outboxBase + row, batches.get(row), null);
            }
            // and one row is cut short, then re-published whole
            publishRow(p, outboxBase + rows - 1, batches.get(rows - 1).subList(0, 10), null);
            consumer.start();
        }
        await(() -> aggregate("requests").count() == (long) rows * perRow && latestSnapshotVersionIsRated(), "all events rated");
        Thread.sleep(1000); // let any duplicate that would be wrongly applied arrive too
        Agg bandwidth = aggregate("bandwidth");
        Agg requests = aggregate("requests");
        assertThat(bandwidth.quantity()).isEqualByComparingTo(expectedBytes);
        assertThat(bandwidth.count()).isEqualTo((long) rows * perRow);
        assertThat(requests.quantity()).isEqualByComparingTo(BigDecimal.valueOf((long) rows * perRow));

        RatedUsageV1 last = latestSnapshot("bandwidth");
        assertThat(last.quantity()).isEqualByComparingTo(expectedBytes);
        assertThat(last.version()).isEqualTo(bandwidth.version());
    }

    @Test
    void aFilteredMeterCountsOnlyTheEventsItsFilterSelects() throws Exception {
        List<AcceptedEventV1> events = new ArrayList<>();
        BigDecimal eu = BigDecimal.ZERO;
        for (int i = 0; i < 30; i++) {
            String region = i % 3 == 0 ? "eu" : i % 3 == 1 ? "us" : "EU"; // exact text: "EU" is not "eu"
            String bytes = Integer.toString(100 + i);
            events.add(new AcceptedEventV1(tenant, customer, "acme", "f-" + i, "bandwidth", EVENT_TIME, Map.of("bytes", bytes, "region", region),
                    Instant.now(), "customer"));
            if (region.equals("eu")) {
                eu = eu.add(new BigDecimal(bytes));
            }
        }
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), events, null);
        }
        await(() -> aggregate("requests").count() == 30, "events rated");
        assertThat(aggregate("eu_bytes").quantity()).isEqualByComparingTo(eu);
        assertThat(aggregate("eu_bytes").count()).isEqualTo(10);
        assertThat(aggregate("bandwidth").count()).isEqualTo(30);
    }

    /**
     * A retraction takes the event out of every meter it counted in; an amendment takes the old
     * properties out and puts the new ones in (here moving bytes out of the filtered meter); a
     * re-published correction row changes nothing.
     */
    @Test
    void retractionsAndAmendmentsReRateAndARepublishedCorrectionIsIgnored() throws Exception {
        AcceptedEventV1 a = new AcceptedEventV1(tenant, customer, "acme", "a", "bandwidth", EVENT_TIME, Map.of("bytes", "10", "region", "eu"),
                Instant.now(), "customer");
        AcceptedEventV1 b = new AcceptedEventV1(tenant, customer, "acme", "b", "bandwidth", EVENT_TIME, Map.of("bytes", "5", "region", "eu"),
                Instant.now(), "customer");
        AcceptedEventV1 c = new AcceptedEventV1(tenant, customer, "acme", "c", "bandwidth", EVENT_TIME, Map.of("bytes", "1", "region", "us"),
                Instant.now(), "customer");
        AcceptedEventV1 b2 = new AcceptedEventV1(tenant, customer, "acme", "b", "bandwidth", EVENT_TIME,
                Map.of("bytes", "7.5", "region", "us"), b.acceptedAt(), "customer");
        List<Object> corrections = List.of(
                new EventCorrectionV1(tenant, customer, "a", "retract", 1, a, null, "test traffic", "key:k", Instant.now()),
                new EventCorrectionV1(tenant, customer, "b", "amend", 1, b, b2, "misread", "key:k", Instant.now()));
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, row, List.of(a, b, c), null);
            publishRow(p, row + 1, EventCorrectionV1.SCHEMA, corrections, null);
            publishRow(p, row + 1, EventCorrectionV1.SCHEMA, corrections, null); // the relay re-publishes after a crash
            publishRow(p, row + 2, List.of(event("d", "100")), null); // a marker: once it is counted, everything before it is
        }
        await(() -> aggregate("bandwidth").quantity().compareTo(new BigDecimal("108.5")) == 0, "corrections rated");
        assertThat(aggregate("bandwidth").count()).isEqualTo(3); // b, c, d
        assertThat(aggregate("requests").quantity()).isEqualByComparingTo("3");
        assertThat(aggregate("eu_bytes").quantity()).isEqualByComparingTo("0");
        assertThat(aggregate("eu_bytes").count()).isZero();
        assertThat(latestSnapshot("bandwidth").quantity()).isEqualByComparingTo("108.5");
    }

    /**
     * An acceptance marker behind an event on its partition advances that partition's watermark, which
     * goes to the outbox after the snapshot the event changed; an older marker never moves it back.
     */
    @Test
    void anAcceptanceMarkerAdvancesThePartitionsWatermarkAfterTheSnapshotsBeforeIt() throws Exception {
        Instant bound = Instant.now().truncatedTo(ChronoUnit.MILLIS); // later than any bound stored before
        int partition;
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
            publishRow(p, row, List.of(event("wm-1", "5")), null);
            partition = p.partitionsFor(Topics.EVENTS_ACCEPTED).size();
            partition = PartitionKeys.partitionOf(tenant + "/" + customer, partition);
            for (Instant b : List.of(bound, bound.minusSeconds(60))) {
                ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, partition, "marker/x",
                        json.writeValueAsString(new AcceptanceMarkerV1(b, Instant.now(), partition)));
                r.headers().add(Headers.OUTBOX_ID, Long.toString(row + 1).getBytes(StandardCharsets.UTF_8))
                        .add(Headers.POSITION, "0".getBytes(StandardCharsets.UTF_8))
                        .add(Headers.SCHEMA, "AcceptanceMarkerV1".getBytes(StandardCharsets.UTF_8));
                p.send(r).get();
            }
        }
        int part = partition;
        await(() -> bound.equals(watermark(part)), "watermark advanced");
        Thread.sleep(500);
        assertThat(watermark(part)).isEqualTo(bound); // the older marker did not move it back
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select max(id) filter (where topic = ? and exists (select 1 from unnest(payloads) p where p like ?)),
                            max(id) filter (where topic = ? and exists (select 1 from unnest(payloads) p where p like ?))
                     from outbox""")) {
            ps.setString(1, Topics.USAGE_RATED);
            ps.setString(2, "%\"" + tenant + "\"%");
            ps.setString(3, Topics.WATERMARKS);
            ps.setString(4, "%\"acceptedBefore\":\"" + bound + "\"%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
                assertThat(rs.getLong(2)).as("watermark row after the snapshot row").isGreaterThan(rs.getLong(1));
            }
        }
    }

    /**
     * Records rating cannot read or rate are set aside whole (rejected_record, with the reason) and the
     * partition goes on: the good records around them are counted once, the bad ones not at all.
     */
    @Test
    void unreadableRecordsAreSetAsideAndThePartitionGoesOn() throws Exception {
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        String key = tenant + "/" + customer;
        AcceptedEventV1 noTime = new AcceptedEventV1(tenant, customer, "acme", "bad-time", "bandwidth", null, Map.of("bytes", "5"),
                Instant.now(), "customer");
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        sent.add(record(key, json.writeValueAsString(event("good-1", "10")), row, 0, AcceptedEventV1.SCHEMA));
        sent.add(record(key, "{\"tenantId\": \"" + tenant + "\", oops", row, 1, AcceptedEventV1.SCHEMA));
        sent.add(record(key, json.writeValueAsString(noTime), row, 2, AcceptedEventV1.SCHEMA));
        sent.add(record(key, json.writeValueAsString(event("other", "1")), row, 3, "SomethingElseV9"));
        ProducerRecord<String, String> noHeaders = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, key, json.writeValueAsString(event("nh", "1")));
        sent.add(noHeaders);
        sent.add(record(key, json.writeValueAsString(event("good-2", "32")), row, 4, AcceptedEventV1.SCHEMA));
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            for (ProducerRecord<String, String> r : sent) {
                p.send(r);
            }
            p.flush();
        }
        await(() -> aggregate("requests").count() == 2, "good records rated");
        Thread.sleep(500);
        assertThat(aggregate("bandwidth").quantity()).isEqualByComparingTo("42");
        List<String> reasons = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select reason from rejected_record where record_value like ? order by kafka_offset")) {
            ps.setString(1, "%" + tenant + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reasons.add(rs.getString(1));
                }
            }
        }
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).contains("JsonParseException");
        assertThat(reasons.get(1)).contains("timestamp");
        assertThat(reasons.get(2)).contains("unknown schema 'SomethingElseV9'");
        assertThat(reasons.get(3)).contains("headers");
    }

    /**
     * The period stamped by ingest at acceptance decides where an event and its corrections land, even
     * when the catalog would now say otherwise (a subscription created after the event was accepted).
     */
    @Test
    void theStampedPeriodDecidesWhereAnEventAndItsCorrectionsLand() throws Exception {
        Instant start = Instant.parse("2026-11-07T00:00:00Z");
        Instant end = Instant.parse("2026-12-07T00:00:00Z");
        AcceptedEventV1 e = new AcceptedEventV1(tenant, customer, "acme", "p-1", "bandwidth", EVENT_TIME, Map.of("bytes", "25"), Instant.now(),
                "customer", start, end);
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, row, List.of(e), null);
            publishRow(p, row + 1, EventCorrectionV1.SCHEMA, List.of(new EventCorrectionV1(tenant, customer, "p-1", "retract", 1, e, null,
                    "test", "key:k", Instant.now())), null);
            publishRow(p, row + 2, List.of(event("p-2", "3")), null); // unstamped: the reader decides (calendar month)
        }
        // two periods now hold rows for this customer: wait on the total over both (p-1 in and out, p-2 in)
        await(() -> requestsOverAllPeriods() == 1 && aggregate("requests").version() > 0, "rated");
        Thread.sleep(300);
        Map<Instant, BigDecimal> byPeriod = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select period_start, quantity from usage_aggregate where tenant_id = ? and customer_id = ? and meter_key = 'bandwidth'")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byPeriod.put(rs.getTimestamp(1).toInstant(), rs.getBigDecimal(2));
                }
            }
        }
        assertThat(byPeriod.keySet()).containsExactly(Instant.parse("2026-11-01T00:00:00Z"), start);
        assertThat(byPeriod.get(start)).isEqualByComparingTo("0"); // counted there, and taken out there
        assertThat(byPeriod.get(Instant.parse("2026-11-01T00:00:00Z"))).isEqualByComparingTo("3");
    }

    private long requestsOverAllPeriods() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select coalesce(sum(event_count), 0), count(*) from usage_aggregate
                     where tenant_id = ? and customer_id = ? and meter_key = 'requests'""")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(2) == 2 ? rs.getLong(1) : -1; // both periods written
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Inject
    RatingStore store;

    /**
     * A consumer that lost its partition (a zombie after a rebalance) and still holds records the new
     * owner has applied cannot commit them: its poll starts behind the stored position and is refused.
     */
    @Test
    void aPollThatStartsBehindTheStoredPositionIsRefused() throws Exception {
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, row, List.of(event("z-1", "10")), null);
        }
        await(() -> aggregate("requests").count() == 1, "rated");
        int partition = PartitionKeys.partitionOf(tenant + "/" + customer, 4);
        long stored;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select next_offset from consumer_offset where topic = ? and kafka_partition = ?")) {
            ps.setString(1, Topics.EVENTS_ACCEPTED);
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                stored = rs.getLong(1);
            }
        }
        // the zombie's record: an offset already applied by the owner, under an outbox id nobody has seen
        var stale = new ConsumerRecord<>(Topics.EVENTS_ACCEPTED, partition, stored - 1,
                tenant + "/" + customer, json.writeValueAsString(event("z-2", "99")));
        stale.headers().add(Headers.OUTBOX_ID, Long.toString(row + 7).getBytes(StandardCharsets.UTF_8))
                .add(Headers.POSITION, "0".getBytes(StandardCharsets.UTF_8))
                .add(Headers.SCHEMA, AcceptedEventV1.SCHEMA.getBytes(StandardCharsets.UTF_8));
        Assertions.assertThatThrownBy(() -> store.apply(List.of(stale), r -> null))
                .isInstanceOf(StoredOffsets.StalePositionException.class);
        assertThat(aggregate("bandwidth").quantity()).isEqualByComparingTo("10");
        assertThat(aggregate("requests").count()).isEqualTo(1);
    }

    private ProducerRecord<String, String> record(String key, String value, long outboxId, int position, String schema) {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, key, value);
        r.headers().add(Headers.OUTBOX_ID, Long.toString(outboxId).getBytes(StandardCharsets.UTF_8))
                .add(Headers.POSITION, Integer.toString(position).getBytes(StandardCharsets.UTF_8))
                .add(Headers.SCHEMA, schema.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Inject
    AppliedBatchExpiry expiry;

    @Test
    void appliedBatchRowsExpireAfterTheRetention() throws Exception {
        long row = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, row, List.of(event("x-1", "1")), null);
        }
        await(() -> aggregate("requests").count() == 1, "rated");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update applied_batch set applied_at = now() - interval '15 days' where outbox_id = ?")) {
            ps.setLong(1, row);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(expiry.expire()).isGreaterThanOrEqualTo(1);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from applied_batch where outbox_id = ?")) {
            ps.setLong(1, row);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    private Instant watermark(int partition) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select accepted_before from partition_watermark where topic = ? and kafka_partition = ?")) {
            ps.setString(1, Topics.EVENTS_ACCEPTED);
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getTimestamp(1).toInstant() : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theRatingSpanContinuesTheIngestTraceAndTheSnapshotCarriesIt() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        try (Producer<String, String> p = kafka.producer("test-relay")) {
            publishRow(p, ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), List.of(event("t1", "42")), traceparent);
        }
        await(() -> aggregate("bandwidth").count() == 1, "event rated");
        await(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getTraceId().equals(traceId)), "rating span exported");
        SpanData span = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).findFirst().orElseThrow();
        assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        String snapshotTrace = latestSnapshotTraceparent("bandwidth");
        assertThat(snapshotTrace).contains(traceId).contains(span.getSpanId());
    }

    record Agg(BigDecimal quantity, long count, long version) {
    }

    private Agg aggregate(String meter) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select quantity, event_count, version from usage_aggregate where tenant_id = ? and customer_id = ? and meter_key = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, meter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Agg(rs.getBigDecimal(1), rs.getLong(2), rs.getLong(3)) : new Agg(BigDecimal.ZERO, 0, 0);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean latestSnapshotVersionIsRated() {
        try {
            return latestSnapshot("bandwidth") != null;
        } catch (Exception e) {
            return false;
        }
    }

    private String[] latestSnapshotRow(String meter) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select p, t from outbox, unnest(payloads, traceparents) as u(p, t)
                     where topic = ? and p like ? and p like ? order by id desc""")) {
            ps.setString(1, Topics.USAGE_RATED);
            ps.setString(2, "%\"" + tenant + "\"%");
            ps.setString(3, "%\"meterKey\":\"" + meter + "\"%");
            try (ResultSet rs = ps.executeQuery()) {
                String[] best = null;
                long bestVersion = -1;
                while (rs.next()) {
                    RatedUsageV1 s = json.readValue(rs.getString(1), RatedUsageV1.class);
                    if (s.version() > bestVersion) {
                        bestVersion = s.version();
                        best = new String[] {rs.getString(1), rs.getString(2)};
                    }
                }
                return best;
            }
        }
    }

    private RatedUsageV1 latestSnapshot(String meter) throws Exception {
        String[] row = latestSnapshotRow(meter);
        return row == null ? null : json.readValue(row[0], RatedUsageV1.class);
    }

    private String latestSnapshotTraceparent(String meter) throws Exception {
        String[] row = latestSnapshotRow(meter);
        return row == null ? null : row[1];
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
