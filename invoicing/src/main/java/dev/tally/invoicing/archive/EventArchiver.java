package dev.tally.invoicing.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.kafka.InvoicingConsumers;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import dev.tally.model.event.Rfc3339;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PollLoop;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.StoredOffsets;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Archives {@code tally.events.accepted} exactly once. Each poll's events and corrections (acceptance markers are not
 * archived) are grouped by tenant, day and partition and written as one Parquet file each, named by the partition and
 * the poll's offset range on it ({@code accepted-p3-1200-1399-<random>.parquet}, under {@code tenant=<id>/day=<date>/}).
 * Only then, in one PostgreSQL transaction, the poll's partitions are claimed, the files' rows inserted into
 * {@code archive_file} and the next offsets saved ({@link StoredOffsets}): a file belongs to the archive exactly when its
 * row does. A crash before the commit leaves files without rows — never read, deleted by {@link ArchiveJanitor} — and
 * the records are archived again from the saved offsets; a consumer that lost its partitions cannot commit (the claim
 * refuses it) and deletes its own files.
 */
@ApplicationScoped
public class EventArchiver implements ConsumerWorker {
    private static final Logger LOG = Logger.getLogger(EventArchiver.class);
    static final String GROUP = "tally-invoicing-archive";
    static final String OFFSETS = "archive_offset";

    @Inject
    KafkaClients kafka;
    @Inject
    InvoicingConsumers consumers;
    @Inject
    InvoicingConfig config;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    ArchiveStore store;
    @Inject
    Storage storage;

    private PollLoop loop;
    /** The in-memory DuckDB that writes the poll's files, kept across polls (opening one per poll cost a tenth of the archiver's time); reopened after a failure. */
    private ParquetFiles.Writer writer;

    /** One file's records: a tenant's, of one day, from one partition of the poll. */
    record FileKey(String tenantId, LocalDate day, int partition) {
        /** The order a poll's files are written in (and so named and listed): tenant, day, partition. */
        static final Comparator<FileKey> ORDER = Comparator.comparing(FileKey::tenantId).thenComparing(FileKey::day).thenComparingInt(FileKey::partition);
    }

    @PostConstruct
    void init() {
        // large polls, and fetches large enough to fill them: the archiver's cost is per poll (files, fsyncs, one commit)
        Map<String, String> bulk = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.archive().maxPollRecords()),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20), ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                Integer.toString(64 << 20));
        loop = new PollLoop("invoicing-archive", Topics.EVENTS_ACCEPTED, () -> kafka.consumer(GROUP, "invoicing-archive", bulk),
                new StoredOffsets(partitions -> StoredOffsets.read(dataSource, OFFSETS, partitions)), this::archive);
    }

    @Override
    public boolean enabled() {
        return consumers.enabled() && config.archive().enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    void archive(ConsumerRecords<String, String> poll) throws Exception {
        Map<FileKey, List<ArchivedRecord>> groups = new HashMap<>(); // written in the order of FileKey.ORDER
        Map<Integer, long[]> ranges = new HashMap<>(); // partition → {first, last} offset of the poll
        for (TopicPartition tp : poll.partitions()) {
            List<ConsumerRecord<String, String>> records = poll.records(tp);
            ranges.put(tp.partition(), new long[] {records.get(0).offset(), records.get(records.size() - 1).offset()});
        }
        for (ConsumerRecord<String, String> r : poll) {
            String schema = RecordHeaders.string(r, Headers.SCHEMA);
            if (schema != null && !schema.equals(AcceptedEventV1.SCHEMA) && !schema.equals(EventCorrectionV1.SCHEMA)) {
                continue; // an acceptance marker (rating's watermarks), not an event
            }
            for (ArchivedRecord a : archived(r, schema)) {
                LocalDate day = LocalDate.ofInstant(a.eventTime() == null ? a.publishedAt() : a.eventTime(), ZoneOffset.UTC);
                groups.computeIfAbsent(new FileKey(a.tenantId(), day, a.partition()), k -> new ArrayList<>()).add(a);
            }
        }
        List<ArchiveStore.FileRow> written = new ArrayList<>();
        try {
            if (!groups.isEmpty()) { // a poll of acceptance markers only writes nothing, and only moves the offsets
                write(groups, ranges, written);
            }
            commit(poll, written);
        } catch (Exception e) {
            for (ArchiveStore.FileRow f : written) {
                deleteQuietly(f.path());
            }
            throw e;
        }
    }

    /** One file per group, named by its partition and the poll's offset range there; each written file is added to {@code written}. */
    private void write(Map<FileKey, List<ArchivedRecord>> groups, Map<Integer, long[]> ranges, List<ArchiveStore.FileRow> written) throws Exception {
        ObjectStore files = storage.archive();
        if (writer == null) {
            writer = new ParquetFiles.Writer();
        }
        try {
            for (Map.Entry<FileKey, List<ArchivedRecord>> g : groups.entrySet().stream().sorted(Map.Entry.comparingByKey(FileKey.ORDER)).toList()) {
                FileKey k = g.getKey();
                long[] range = ranges.get(k.partition());
                String path = ArchiveStore.directory(k.tenantId(), k.day()) + "/accepted-p" + k.partition() + "-" + range[0] + "-" + range[1] + "-"
                        + UUID.randomUUID().toString().substring(0, 8) + ".parquet";
                Path staged = files.staging(path);
                try {
                    writer.write(staged, g.getValue());
                } catch (Exception e) {
                    Files.deleteIfExists(staged);
                    throw e;
                }
                long bytes = files.put(staged, path, () -> crashPoint("file-written"));
                written.add(new ArchiveStore.FileRow(path, k.tenantId(), k.day(), g.getValue().size(), bytes, k.partition() + ":" + range[0] + "-"
                        + range[1]));
            }
        } catch (SQLException e) {
            closeWriter(); // a DuckDB that failed is not trusted with the next poll
            throw e;
        }
    }

    private void closeWriter() {
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (SQLException e) {
            LOG.debugf("closing the archive's DuckDB: %s", e.getMessage());
        } finally {
            writer = null;
        }
    }

    private void commit(ConsumerRecords<String, String> poll, List<ArchiveStore.FileRow> files) throws Exception {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (TopicPartition tp : poll.partitions()) {
            List<ConsumerRecord<String, String>> records = poll.records(tp);
            next.put(tp, records.get(records.size() - 1).offset() + 1);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                StoredOffsets.claim(c, OFFSETS, StoredOffsets.firstOffsets(poll));
                store.insert(c, files);
                StoredOffsets.save(c, OFFSETS, next);
                crashPoint("before-commit");
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The record as the archive keeps it: once, under its event's day; a correction also under the day of its new
     * version when that differs (so either day's files hold the whole history of the event). Unreadable: once, under the
     * day it was published, its tenant from its key.
     */
    private List<ArchivedRecord> archived(ConsumerRecord<String, String> r, String schema) {
        Instant published = Instant.ofEpochMilli(r.timestamp());
        String keyTenant = r.key() == null ? "_none" : r.key().indexOf('/') < 0 ? r.key() : r.key().substring(0, r.key().indexOf('/'));
        try {
            if (!EventCorrectionV1.SCHEMA.equals(schema)) {
                return List.of(event(r, schema, published, keyTenant));
            }
            JsonNode v = json.readTree(r.value());
            Set<Instant> times = new LinkedHashSet<>();
            times.add(time(v.path("previous").path("timestamp")));
            times.add(time(v.path("current").path("timestamp")));
            if (times.size() > 1) {
                times.remove(null);
            }
            List<ArchivedRecord> out = new ArrayList<>();
            for (Instant t : times) {
                out.add(new ArchivedRecord(r.partition(), r.offset(), published, schema, text(v, "tenantId", keyTenant), text(v, "customerId", null),
                        text(v, "eventId", null), t, r.value()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("an unreadable record %s-%d@%d is archived as it is: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return List.of(new ArchivedRecord(r.partition(), r.offset(), published, schema, keyTenant, null, null, null, r.value()));
        }
    }

    /**
     * An event's columns, read by streaming only as far as its four fields (most of an archiver's time went to building a
     * tree of every event): the value itself is kept as published.
     */
    private ArchivedRecord event(ConsumerRecord<String, String> r, String schema, Instant published, String keyTenant) throws IOException {
        String tenant = null;
        String customer = null;
        String eventId = null;
        Instant time = null;
        try (JsonParser p = json.getFactory().createParser(r.value())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME && (tenant == null || customer == null || eventId == null || time == null)) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
                switch (field) {
                    case "tenantId" -> tenant = text;
                    case "customerId" -> customer = text;
                    case "eventId" -> eventId = text;
                    case "timestamp" -> time = text == null ? null : Rfc3339.parse(text);
                    default -> p.skipChildren();
                }
            }
        }
        return new ArchivedRecord(r.partition(), r.offset(), published, schema, tenant == null ? keyTenant : tenant, customer, eventId, time, r.value());
    }

    private static String text(JsonNode v, String field, String otherwise) {
        JsonNode n = v.path(field);
        return n.isTextual() ? n.asText() : otherwise;
    }

    private static Instant time(JsonNode n) {
        return n.isTextual() ? Rfc3339.parse(n.asText()) : null;
    }

    /**
     * A fault-injection point for the crash tests: when {@code tally.archive.crash-at} names it, the process halts here at
     * once (no shutdown hooks, as a SIGKILL). Off unless set; never set in production.
     */
    void crashPoint(String at) {
        if (config.archive().crashAt().filter(at::equals).isPresent()) {
            LOG.warnf("halting at archive crash point %s (tally.archive.crash-at)", at);
            Runtime.getRuntime().halt(137);
        }
    }

    private void deleteQuietly(String key) {
        try {
            storage.archive().delete(key);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not delete %s (the janitor will): %s", key, e.getMessage());
        }
    }
}
