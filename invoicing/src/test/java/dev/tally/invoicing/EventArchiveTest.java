package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.archive.ArchiveCompactor;
import dev.tally.invoicing.archive.ArchiveJanitor;
import dev.tally.invoicing.archive.ArchivedRecord;
import dev.tally.invoicing.archive.ParquetFiles;
import dev.tally.invoicing.reconcile.AcceptedReplay;
import dev.tally.invoicing.reconcile.ArchiveRecount;
import dev.tally.invoicing.reconcile.Reconciler;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.Recount;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * The event archive on real Kafka and PostgreSQL (issue 24): the archiver writes every accepted record of a tenant to
 * Parquet files per day exactly once (a record re-published by a relay is archived as the topic holds it: twice, at two
 * offsets; a correction that moves its event to another day is filed under both days), the history of an amended event
 * is there in order, a recount from the archive equals a recount from the topic, and the janitor deletes orphaned files
 * and days past their retention — never a file the manifest names.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class EventArchiveTest extends BillingTest {
    @Inject
    ArchiveRecount archiveRecount;
    @Inject
    AcceptedReplay replay;
    @Inject
    Reconciler reconciler;
    @Inject
    ArchiveJanitor janitor;
    @Inject
    ArchiveCompactor compactor;

    /** Where each produced record landed: partition → offsets (a day-moving correction is expected twice). */
    private final Map<String, Integer> expected = new TreeMap<>();

    private void send(Producer<String, String> p, String tenant, String customer, String schema, Object value, int copiesInArchive)
            throws Exception {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.EVENTS_ACCEPTED, tenant + "/" + customer, json.writeValueAsString(value));
        r.headers().add(Headers.SCHEMA, schema.getBytes(StandardCharsets.UTF_8));
        RecordMetadata m = p.send(r).get();
        expected.put(m.partition() + "@" + m.offset(), copiesInArchive);
    }

    @Test
    void everyAcceptedRecordIsArchivedOnceAndTheArchiveRecountsAsTheTopicDoes() throws Exception {
        Tenant t = tenant("Archived");
        String id = setUp(t, monthStart(-1), "a").get(0);
        Instant start = Instant.parse(monthStart(-1));
        Instant end = Instant.parse(monthStart(0));
        Random random = new Random(24);
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            for (int i = 0; i < 300; i++) {
                AcceptedEventV1 e = new AcceptedEventV1(t.id(), id, "a", "ev-" + i, "bandwidth", start.plus(Duration.ofMinutes(97L * i)),
                        Map.of("bytes", Integer.toString(1 + random.nextInt(10_000))), Instant.now(), "customer", start, end);
                send(p, t.id(), id, AcceptedEventV1.SCHEMA, e, 1);
                if (i % 25 == 0) {
                    send(p, t.id(), id, AcceptedEventV1.SCHEMA, e, 1); // re-published by a relay: the topic holds it twice
                }
                if (i == 7) {
                    send(p, t.id(), id, EventCorrectionV1.SCHEMA, new EventCorrectionV1(t.id(), id, e.eventId(), EventCorrectionV1.RETRACT, 1, e,
                            null, "test", "key:x", Instant.now()), 1);
                }
                if (i == 8) { // amended: its time moves two days on, so the correction is filed under both days
                    AcceptedEventV1 amended = new AcceptedEventV1(t.id(), id, "a", e.eventId(), "bandwidth", e.timestamp().plus(Duration.ofDays(2)),
                            Map.of("bytes", "5"), Instant.now(), "customer", start, end);
                    send(p, t.id(), id, EventCorrectionV1.SCHEMA, new EventCorrectionV1(t.id(), id, e.eventId(), EventCorrectionV1.AMEND, 1, e,
                            amended, "test", "key:x", Instant.now()), 2);
                }
            }
        }
        int records = expected.values().stream().mapToInt(Integer::intValue).sum();
        awaitArchived(t.id(), records);

        // exactly once: every record at its partition and offset, as many times as expected, and nothing else
        List<ArchivedRecord> archived = new ArrayList<>();
        ParquetFiles.read(files(t.id()), null, List.of(), archived::add);
        Map<String, Integer> seen = new TreeMap<>();
        archived.forEach(r -> seen.merge(r.partition() + "@" + r.offset(), 1, Integer::sum));
        assertThat(seen).isEqualTo(expected);
        assertThat(archived).allMatch(r -> r.tenantId().equals(t.id()) && r.customerId().equals(id));
        // the history of the amended event, in topic order: as accepted, then the amendment
        List<ArchivedRecord> history = new ArrayList<>();
        ParquetFiles.read(files(t.id()), "event_id = ?", List.of("ev-8"), history::add);
        assertThat(history.stream().map(ArchivedRecord::schema).distinct().toList()).containsExactly(AcceptedEventV1.SCHEMA, EventCorrectionV1.SCHEMA);
        assertThat(history.get(history.size() - 1).value()).contains("\"amend\"").contains("\"5\"");

        // compaction: one more event on the first day (a second file there), then each day of many files merged into one;
        // every record still there once, the replaced files deleted by the janitor once old enough
        try (Producer<String, String> p = kafka.producer("test-ingest")) {
            send(p, t.id(), id, AcceptedEventV1.SCHEMA, new AcceptedEventV1(t.id(), id, "a", "ev-late", "bandwidth", start.plusSeconds(30),
                    Map.of("bytes", "7"), Instant.now(), "customer", start, end), 1);
        }
        awaitArchived(t.id(), records + 1);
        List<Path> beforeCompaction = files(t.id());
        assertThat(compactor.compact()).isPositive();
        List<Path> afterCompaction = files(t.id());
        assertThat(afterCompaction).hasSizeLessThan(beforeCompaction.size()).allMatch(Files::exists);
        assertThat(afterCompaction.stream().map(Path::getParent).distinct()).hasSameSizeAs(afterCompaction); // one file per day
        Map<String, Integer> compacted = new TreeMap<>();
        ParquetFiles.read(afterCompaction, null, List.of(), r -> compacted.merge(r.partition() + "@" + r.offset(), 1, Integer::sum));
        assertThat(compacted).isEqualTo(expected);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update archive_file set replaced_at = now() - interval '1 hour' where tenant_id = ?"
                     + " and replaced_at is not null")) {
            ps.setString(1, t.id());
            ps.executeUpdate();
        }
        janitor.sweep();
        assertThat(beforeCompaction.stream().filter(f -> !afterCompaction.contains(f))).isNotEmpty().noneMatch(Files::exists);

        // a recount from the archive (and the topic's tail past it) equals a recount from the topic alone
        var meters = List.of(reconciler.definition(t.id(), "bandwidth"));
        ArchiveRecount.Result fromArchive = archiveRecount.recount(t.id(), start, meters, 20, Duration.ofMinutes(1));
        Recount fromTopic = replay.replay(Set.of(t.id()), start, Duration.ofMinutes(1)).get(t.id());
        assertThat(fromArchive.archivedRecords()).isPositive();
        Map<Recount.Key, Recount.Counted> a = fromArchive.counted();
        assertThat(a).isEqualTo(fromTopic.count(meters, 20));
        assertThat(a.values().iterator().next().events()).isEqualTo(300); // 300 and the late one, one retracted

        // one customer's archived records for support: CSV and Parquet, each record once, in topic order
        String days = "from=" + start.toString().substring(0, 10) + "&to=" + start.plus(Duration.ofDays(30)).toString().substring(0, 10);
        var csv = get(t, "/v1/customers/a/archive?" + days).statusCode(200).contentType("text/csv; charset=utf-8")
                .header("Tally-Records", Integer.toString(expected.size())).extract();
        List<String> lines = csv.asString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("kafka_partition,kafka_offset,published_at,schema,event_id,event_time,value");
        assertThat(lines).hasSize(expected.size() + 1);
        assertThat(lines.stream().filter(l -> l.contains(",ev-8,"))).hasSize(2); // accepted, then amended
        assertThat(csv.header("Tally-Archived-Up-To")).matches("\\d+:\\d+(,\\d+:\\d+)*");
        byte[] parquet = get(t, "/v1/customers/a/archive?" + days + "&format=parquet").statusCode(200).extract().asByteArray();
        Path exported = Files.createTempFile("export", ".parquet");
        Files.write(exported, parquet);
        List<ArchivedRecord> fromParquet = new ArrayList<>();
        ParquetFiles.read(List.of(exported), null, List.of(), fromParquet::add);
        Files.delete(exported);
        assertThat(fromParquet).hasSize(expected.size());
        get(t, "/v1/customers/a/archive?" + days + "&format=xml").statusCode(400).body("field", Matchers.equalTo("format"));
        get(t, "/v1/customers/a/archive?to=2026-01-01").statusCode(400).body("field", Matchers.equalTo("from"));
        get(t, "/v1/customers/a/archive?from=2026-03-02&to=2026-03-01").statusCode(400).body("field", Matchers.equalTo("to"));
        get(t, "/v1/customers/a/archive?from=2026-01-01&to=2026-04-04").statusCode(400).body("field", Matchers.equalTo("to"));
        get(t, "/v1/customers/nobody/archive?" + days).statusCode(404);
        get(tenant("Other archived"), "/v1/customers/a/archive?" + days).statusCode(404);

        // the janitor: an orphan (a file no row names, older than the orphan age) goes; the manifest's files stay
        Path root = Path.of("target/archive");
        Path orphan = root.resolve("tenant=" + t.id() + "/day=2000-01-01/accepted-p0-0-0-deadbeef.parquet");
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "not a parquet file");
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path young = orphan.resolveSibling("accepted-p0-1-1-cafebabe.parquet");
        Files.writeString(young, "a write in progress");
        janitor.sweep();
        assertThat(orphan).doesNotExist();
        assertThat(young).exists();
        assertThat(files(t.id())).allMatch(Files::exists);
        Files.delete(young);

        // retention: with a day kept, last month's files leave the manifest and the storage
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update tenant set archive_retention_days = 1 where tenant_id = ?")) {
            ps.setString(1, t.id());
            ps.executeUpdate();
        }
        List<Path> before = files(t.id());
        assertThat(janitor.sweep().expired()).isGreaterThanOrEqualTo(before.size());
        assertThat(files(t.id())).isEmpty();
        assertThat(before).noneMatch(Files::exists);
    }

    private void awaitArchived(String tenantId, int records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long n = 0;
        while (System.nanoTime() < deadline) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("select coalesce(sum(records), 0) from archive_file where tenant_id = ?")) {
                ps.setString(1, tenantId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getLong(1);
                }
            }
            if (n >= records) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the archive holds " + n + " of the tenant's " + records + " records");
    }

    private List<Path> files(String tenantId) throws Exception {
        List<Path> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select path from archive_file where tenant_id = ? and replaced_at is null")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Path.of("target/archive").resolve(rs.getString(1)));
                }
            }
        }
        return out;
    }
}
