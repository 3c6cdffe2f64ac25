package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.infra.local.LocalStack;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event archive in S3-compatible object storage survives crashes mid-file and mid-commit (issue 24), on a stack of
 * its own with a real S3 server (S3Proxy; invoicing's archive is {@code s3://tally-archive/…}, through the AWS SDK):
 * invoicing halts (as a SIGKILL: no shutdown hooks) once just before a finished Parquet file is put, and once after a
 * poll's files are put and its manifest rows and offsets written but not committed; events keep coming meanwhile. After
 * a normal restart the archive's manifest holds every event and correction of {@code tally.events.accepted} exactly
 * once — each at its partition and offset, nothing twice, nothing missing — the crashes' objects and staged files exist
 * but in no manifest row until the janitor deletes them, and a reconciliation from the archive finds no drift and equals
 * one from the topic.
 */
class ArchiveIT {
    private static final List<String> CUSTOMERS = List.of("v0", "v1", "v2", "v3");
    private static OwnPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = new OwnPlatform(LocalStack.ephemeral(Path.of("target", "archive-stack")).withObjectStorage(LocalStack.freePort()), Map.of("TALLY_ARCHIVE_CRASH_AT", "file-written",
                "TALLY_ARCHIVE_ORPHAN_AGE", "PT1S", "TALLY_ARCHIVE_COMPACT_MIN_FILES", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void crashesMidFileAndMidCommitLeaveEveryAcceptedRecordInTheArchiveExactlyOnce() throws Exception {
        OwnPlatform.Tenant tenant = platform.tenant("Archive", "0.000001", false);
        String admin = tenant.adminKey();
        for (String c : CUSTOMERS) {
            post(platform.invoicing.url(), admin, "/v1/customers", "{\"externalId\":\"%s\",\"name\":\"%s\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                    .formatted(c, c, Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS))).then().statusCode(201);
        }
        SeededStream stream = new SeededStream("ar-", CUSTOMERS, 12, 250, 53);
        int sent = 0;
        // the first events reach the archiver: it halts before putting its first file
        sent = send(tenant, stream, sent, 3);
        System.out.println("invoicing halted mid-file, exit " + platform.invoicing.awaitExit(Duration.ofSeconds(60)));
        assertThat(files(platform.scratch)).as("the staged file the crash left").isNotEmpty();
        assertThat(files(platform.archive)).as("no object: the crash came before the PUT").isEmpty();
        sent = send(tenant, stream, sent, 6);
        // again, now after the poll's files are in place and its rows written, before the commit
        platform.invoicing.with("TALLY_ARCHIVE_CRASH_AT", "before-commit").launch();
        System.out.println("invoicing halted mid-commit, exit " + platform.invoicing.awaitExit(Duration.ofSeconds(120)));
        List<Path> leftBehind = new ArrayList<>(files(platform.archive));
        assertThat(leftBehind).as("the objects the second crash left").isNotEmpty();
        leftBehind.addAll(files(platform.scratch));
        platform.invoicing.with("TALLY_ARCHIVE_CRASH_AT", "").start();
        sent = send(tenant, stream, sent, stream.bodies.size());
        List<String> retracted = new ArrayList<>(new TreeSet<>(stream.byId.keySet())).subList(0, 20);
        post(platform.ingest.url(), tenant.ingestKey(), "/v1/events/retract", "{\"ids\":" + retracted.stream().map(id -> "\"" + id + "\"").toList()
                + ",\"reason\":\"test\"}").then().statusCode(200);
        stream.retract(retracted);

        // the topic's events and corrections, each once in the manifest's files
        Map<String, Integer> onTopic = topicRecords();
        Map<String, Integer> archived = awaitArchived(onTopic.size());
        assertThat(archived).as("every record of the topic archived exactly once").isEqualTo(onTopic);
        System.out.printf("%d records on the topic (%d requests sent), each archived once; %d files the crashes left were in no manifest row%n",
                onTopic.size(), sent, leftBehind.size());
        try (Connection c = db()) {
            for (Path p : leftBehind.stream().filter(p -> p.startsWith(platform.archive)).toList()) {
                assertThat(manifestNames(c, platform.archive.relativize(p).toString())).as(p + " is in the manifest").isFalse();
            }
        }
        // the janitor removes them (older than the orphan age, 1 s here); the manifest's files stay
        SeededStream.sleep(1500);
        given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + platform.operator).post("/v1/admin/archive/sweep").then()
                .statusCode(200);
        assertThat(leftBehind).noneMatch(Files::exists);
        assertThat(awaitArchived(onTopic.size())).isEqualTo(onTopic);
        // compaction merges each day's objects (downloaded, merged, put): still every record once; the janitor then
        // deletes the replaced objects, so the bucket holds exactly the manifest's live files
        int merged = given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + platform.operator).post("/v1/admin/archive/compact")
                .then().statusCode(200).extract().path("daysMerged");
        assertThat(merged).as("days merged").isPositive();
        System.out.println("compaction merged " + merged + " days of objects");
        assertThat(awaitArchived(onTopic.size())).isEqualTo(onTopic);
        SeededStream.sleep(1500);
        given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + platform.operator).post("/v1/admin/archive/sweep").then()
                .statusCode(200);
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery("select path from invoicing.archive_file where replaced_at is null")) {
            List<Path> live = new ArrayList<>();
            while (rs.next()) {
                live.add(platform.archive.resolve(rs.getString(1)));
            }
            assertThat(files(platform.archive)).as("the bucket's objects after compaction and the janitor").containsExactlyInAnyOrderElementsOf(live);
        }

        // the period's recount from the archive agrees with rating, the drafts and a recount from the topic
        for (String c : CUSTOMERS) {
            SeededStream.awaitDraft(platform.invoicing.url(), admin, c + "/invoices/draft", stream.events(c));
        }
        JsonPath fromArchive = post(platform.invoicing.url(), admin, "/v1/reconciliations", "{\"source\":\"archive\"}").then().statusCode(201).extract()
                .jsonPath();
        JsonPath fromTopic = post(platform.invoicing.url(), admin, "/v1/reconciliations", "{\"source\":\"topic\"}").then().statusCode(201).extract()
                .jsonPath();
        assertThat(fromArchive.getInt("drifted")).isZero();
        assertThat(fromTopic.getInt("drifted")).isZero();
        assertThat(fromArchive.getInt("keysCompared")).isEqualTo(fromTopic.getInt("keysCompared")).isPositive();
        assertThat(fromArchive.getString("notes[0]")).contains("event archive");
        System.out.println(stream.summary());
        afterTheEventsLeaveKafka(tenant, stream, fromArchive.getInt("keysCompared"));
        theWarehouseExportIsWrittenToObjectStorage(tenant);
    }

    /**
     * The warehouse export of a finished day goes to the same S3 server ({@code s3://tally-warehouse/…}): four Parquet
     * objects and the manifest, whose hashes are the objects' bytes.
     */
    private static void theWarehouseExportIsWrittenToObjectStorage(OwnPlatform.Tenant tenant) throws Exception {
        String day = LocalDate.now(ZoneOffset.UTC).minusDays(2).toString();
        JsonPath exported = given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + platform.operator).contentType("application/json")
                .body("{\"tenantId\":\"" + tenant.id() + "\",\"day\":\"" + day + "\"}").post("/v1/admin/warehouse-exports/run").then().statusCode(200)
                .extract().jsonPath();
        assertThat(exported.getList("files.table", String.class)).containsExactly("invoices", "invoice_lines", "invoice_status", "credit_notes");
        assertThat(platform.warehouse.resolve(exported.getString("manifest"))).exists();
        for (int i = 0; i < 4; i++) {
            Path object = platform.warehouse.resolve(exported.getString("files[" + i + "].path"));
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(object)))).as(object.toString())
                    .isEqualTo(exported.getString("files[" + i + "].sha256"));
        }
    }

    /**
     * Closes v0's period, then shortens {@code tally.events.accepted}'s retention to one second until Kafka has deleted
     * every event and correction (the acceptance markers of the last second stay): a reconciliation from the archive still compares every key with no drift (one from the topic now
     * finds nothing to count, so it drifts), and the invoice's line still lists every one of its events.
     */
    private static void afterTheEventsLeaveKafka(OwnPlatform.Tenant tenant, SeededStream stream, int keys) throws Exception {
        String admin = tenant.adminKey();
        String subscription = given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/subscriptions?customer=v0")
                .then().statusCode(200).extract().path("[0].subscriptionId");
        post(platform.invoicing.url(), admin, "/v1/subscriptions/" + subscription + "/cancel", "{\"at\":\"%s\"}".formatted(Instant.now()
                .truncatedTo(ChronoUnit.SECONDS))).then().statusCode(200);
        SeededStream.sleep(1100);
        JsonPath invoice = SystemRequests.closedInvoice(platform.invoicing.url(), admin, "v0", null);
        assertThat(invoice.getLong("lines[0].eventCount")).isEqualTo(stream.events("v0"));

        long started = System.nanoTime();
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.addresses.kafkaBootstrap()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tally.events.accepted");
            // segments roll every second too: ingest's acceptance markers (every second, on every partition) keep the
            // active segment young, and retention deletes only segments whose newest record is older than retention.ms
            kafka.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("segment.ms", "1000"), AlterConfigOp.OpType.SET)))).all().get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!topicRecords().isEmpty()) {
            assertThat(System.nanoTime()).as("Kafka deleted the topic's records").isLessThan(deadline);
            SeededStream.sleep(1000);
        }
        System.out.printf("retention deleted every record of tally.events.accepted %.1f s after it was shortened to 1 s%n",
                (System.nanoTime() - started) / 1e9);

        JsonPath fromArchive = post(platform.invoicing.url(), admin, "/v1/reconciliations", "{\"source\":\"archive\"}").then().statusCode(201)
                .extract().jsonPath();
        assertThat(fromArchive.getInt("drifted")).as(fromArchive.prettify()).isZero();
        assertThat(fromArchive.getInt("keysCompared")).isEqualTo(keys);
        JsonPath fromTopic = post(platform.invoicing.url(), admin, "/v1/reconciliations", "{\"source\":\"topic\"}").then().statusCode(201).extract()
                .jsonPath();
        assertThat(fromTopic.getInt("drifted")).as("a recount from the emptied topic misses the events").isPositive();

        // every event behind the closed line, paged, read from the archive alone
        long events = 0;
        long bytes = 0;
        String after = "";
        do {
            JsonPath page = given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/invoices/"
                    + invoice.getString("invoiceId") + "/events?meter=bandwidth&limit=500" + after).then().statusCode(200).extract().jsonPath();
            assertThat(page.getLong("events")).isEqualTo(stream.events("v0"));
            assertThat(new BigDecimal(page.getString("recountedQuantity"))).isEqualByComparingTo(invoice.getString("lines[0].quantity"));
            List<Object> values = page.getList("page.value");
            events += values.size();
            bytes += values.stream().mapToLong(v -> new BigDecimal(v.toString()).longValueExact()).sum();
            after = page.getString("next") == null ? null : "&after=" + page.getString("next");
        } while (after != null);
        assertThat(events).isEqualTo(stream.events("v0"));
        assertThat(bytes).isEqualTo(stream.bytes("v0"));
        System.out.printf("after retention: reconciliation from the archive compared %d keys, drift 0; v0's invoice line listed %d events, %d bytes%n",
                keys, events, bytes);
    }

    /** Sends bodies {@code from} up to {@code to} (each until accepted); returns {@code to}. */
    private static int send(OwnPlatform.Tenant tenant, SeededStream stream, int from, int to) {
        for (int b = from; b < to; b++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (post(platform.ingest.url(), tenant.ingestKey(), "/v1/events", stream.bodies.get(b)).statusCode() != 200) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                SeededStream.sleep(200);
            }
        }
        return to;
    }

    /** Every file under {@code dir} now (the archive's objects, or invoicing's staged files and downloads). */
    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** Events and corrections on the topic (not acceptance markers): partition@offset → 1. */
    private static Map<String, Integer> topicRecords() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.addresses.kafkaBootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> out = new TreeMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor("tally.events.accepted").stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    Header schema = r.headers().lastHeader("tally-schema");
                    String s = schema == null ? null : new String(schema.value(), StandardCharsets.UTF_8);
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && (s == null || s.equals("AcceptedEventV1")
                            || s.equals("EventCorrectionV1"))) {
                        out.put(r.partition() + "@" + r.offset(), 1);
                    }
                }
            }
        }
        return out;
    }

    /** Once the manifest holds {@code records} records: partition@offset → how many of the manifest's files hold it. */
    private static Map<String, Integer> awaitArchived(int records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try (Connection c = db(); PreparedStatement ps = c.prepareStatement("select coalesce(sum(records), 0) from invoicing.archive_file");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) >= records) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                try (Connection c = db(); ResultSet o = c.createStatement().executeQuery("select string_agg(kafka_partition || ':' || next_offset, ', ')"
                        + " from invoicing.archive_offset"); ResultSet f = c.createStatement().executeQuery("select string_agg(ranges || '/' || records,"
                                + " ', ') from invoicing.archive_file")) {
                    o.next();
                    f.next();
                    System.out.println("archived up to " + o.getString(1) + "; files " + f.getString(1) + "; " + records + " records expected");
                }
            }
            assertThat(System.nanoTime()).as("the archive caught up with the topic").isLessThan(deadline);
            SeededStream.sleep(250);
        }
        Map<String, Integer> out = new TreeMap<>();
        List<String> files = new ArrayList<>();
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("select path from invoicing.archive_file where replaced_at is null");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                files.add(platform.archive.resolve(rs.getString(1)).toString().replace("'", "''"));
            }
        }
        // read with DuckDB, as invoicing does: the files are plain Parquet
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = duck.createStatement().executeQuery("select kafka_partition, kafka_offset from read_parquet([" + String.join(", ",
                     files.stream().map(f -> "'" + f + "'").toList()) + "])")) {
            while (rs.next()) {
                out.merge(rs.getInt(1) + "@" + rs.getLong(2), 1, Integer::sum);
            }
        }
        return out;
    }

    private static boolean manifestNames(Connection c, String path) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select 1 from invoicing.archive_file where path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(platform.addresses.jdbcUrl(), platform.addresses.user(), platform.addresses.password());
    }
}
