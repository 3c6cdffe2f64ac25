package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.infra.local.LocalStack;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network partitions (issue 23): ingest and rating run in a network namespace of the test's own
 * ({@link NetworkNamespace}); invoicing, Kafka and PostgreSQL outside. While a seeded stream with duplicates goes on,
 * first their way to Kafka is cut for longer than a Kafka request's timeout (30 s) — ingest must go on accepting (the
 * events wait in its outbox) and rating stops — then their way to PostgreSQL is cut — ingest cannot accept, and the
 * sender retries. Each cut drops packets (a blackhole route): open connections stall, new ones fail. After both heal,
 * every unique, unretracted event is counted exactly once, and reconciliation finds no drift.
 */
class PartitionIT {
    private static final List<String> CUSTOMERS = List.of("n0", "n1", "n2", "n3");
    private static final Duration KAFKA_CUT = Duration.ofSeconds(40L * SeededStream.scale());
    private static final Duration POSTGRES_CUT = Duration.ofSeconds(15L * SeededStream.scale());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static NetworkNamespace net;
    private static OwnPlatform platform;

    /** What the sender saw while a cut lasted: answers by status ("200", "503", "timeout", …) and the slowest 200. */
    record Seen(Map<String, Integer> answers, long slowest200Millis) {
    }

    @BeforeAll
    static void start() throws Exception {
        net = NetworkNamespace.create("tally-partition");
        LocalStack stack = LocalStack.ephemeral(Path.of("target", "partition-stack")).withHosts(NetworkNamespace.KAFKA_HOST, NetworkNamespace.POSTGRES_HOST);
        platform = new OwnPlatform(stack, Map.of(), net);
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void cuttingIngestAndRatingOffFromKafkaAndThenFromPostgresLosesAndDoublesNothing() throws Exception {
        OwnPlatform.Tenant tenant = platform.tenant("Partitioned", "0.000001", false);
        String admin = tenant.adminKey();
        String invoicing = platform.invoicing.url();
        for (String c : CUSTOMERS) {
            post(invoicing, admin, "/v1/customers", "{\"externalId\":\"%s\",\"name\":\"%s\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                    .formatted(c, c, Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS))).then().statusCode(201);
        }
        SeededStream stream = new SeededStream("np-", CUSTOMERS, 60 * SeededStream.scale(), 100, 47);
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<String> phase = new AtomicReference<>("before");
        Map<String, List<String>> answers = new ConcurrentHashMap<>();
        Map<String, List<Long>> okMillis = new ConcurrentHashMap<>();
        Thread sender = Thread.ofPlatform().start(() -> {
            for (String body : stream.bodies) {
                sendUntilAccepted(tenant.ingestKey(), body, phase, answers, okMillis);
                sent.incrementAndGet();
                SeededStream.sleep(1000);
            }
        });

        await(sent, 4 * SeededStream.scale());
        net.cut(NetworkNamespace.KAFKA_HOST);
        phase.set("kafka-cut");
        SeededStream.sleep(5_000); // what rating had fetched before the cut is counted by now
        JsonPath draftAtCut = draft(admin, CUSTOMERS.get(0));
        SeededStream.sleep(KAFKA_CUT.toMillis() - 5_000);
        JsonPath draftLateInCut = draft(admin, CUSTOMERS.get(0));
        net.heal(NetworkNamespace.KAFKA_HOST);
        phase.set("after-kafka");
        Seen kafkaCut = seen(answers, okMillis, "kafka-cut");
        System.out.printf("ingest and rating cut off from Kafka for %d s: ingest answered %s (slowest 200 in %d ms)%n", KAFKA_CUT.toSeconds(),
                kafkaCut.answers(), kafkaCut.slowest200Millis());
        assertThat(kafkaCut.answers().getOrDefault("200", 0)).as("ingest accepted while cut off from Kafka").isGreaterThanOrEqualTo(10);
        assertThat(lineEvents(draftLateInCut)).as("rating counted nothing it could not read").isEqualTo(lineEvents(draftAtCut));

        int resumeAt = sent.get() + 4;
        await(sent, resumeAt);
        net.cut(NetworkNamespace.POSTGRES_HOST);
        phase.set("postgres-cut");
        SeededStream.sleep(POSTGRES_CUT.toMillis());
        net.heal(NetworkNamespace.POSTGRES_HOST);
        phase.set("after-postgres");
        Seen pgCut = seen(answers, okMillis, "postgres-cut");
        System.out.printf("ingest and rating cut off from PostgreSQL for %d s: ingest answered %s%n", POSTGRES_CUT.toSeconds(), pgCut.answers());
        assertThat(pgCut.answers().keySet()).as("no request was answered with a server error other than 503").allMatch(s -> !s.startsWith("5") || s.equals("503"));

        sender.join(Duration.ofMinutes(5L * SeededStream.scale()));
        assertThat(sent.get()).isEqualTo(stream.bodies.size());
        List<String> retracted = new ArrayList<>(new TreeSet<>(stream.byId.keySet())).subList(0, 30);
        post(platform.ingest.url(), tenant.ingestKey(), "/v1/events/retract", "{\"ids\":" + retracted.stream().map(id -> "\"" + id + "\"").toList()
                + ",\"reason\":\"test\"}").then().statusCode(200).extract().jsonPath().getList("results.outcome", String.class)
                .forEach(o -> assertThat(o).isEqualTo("retracted"));
        stream.retract(retracted);
        for (String c : CUSTOMERS) {
            JsonPath draft = SeededStream.awaitDraft(invoicing, admin, c + "/invoices/draft", stream.events(c));
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).as(c + " bytes").isEqualByComparingTo(BigDecimal.valueOf(stream.bytes(c)));
        }
        JsonPath reconciled = post(invoicing, admin, "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
        System.out.println(stream.summary());
        assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
    }

    /** Sends one body until ingest accepts it, each try bounded by 20 s, noting every answer under the phase it began in. */
    private static void sendUntilAccepted(String key, String body, AtomicReference<String> phase, Map<String, List<String>> answers,
            Map<String, List<Long>> okMillis) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(platform.ingest.url() + "/v1/events")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            String at = phase.get();
            long t0 = System.nanoTime();
            String outcome;
            try {
                outcome = Integer.toString(HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (HttpTimeoutException e) {
                outcome = "timeout";
            } catch (Exception e) {
                outcome = e.getClass().getSimpleName();
            }
            answers.computeIfAbsent(at, p -> new CopyOnWriteArrayList<>()).add(outcome);
            if (outcome.equals("200")) {
                okMillis.computeIfAbsent(at, p -> new CopyOnWriteArrayList<>()).add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
                return;
            }
            assertThat(System.nanoTime()).as("ingest accepted a batch in the end; last answer " + outcome).isLessThan(deadline);
            SeededStream.sleep(250);
        }
    }

    private static Seen seen(Map<String, List<String>> answers, Map<String, List<Long>> okMillis, String phase) {
        Map<String, Integer> counts = counts(answers.getOrDefault(phase, List.of()));
        return new Seen(counts, okMillis.getOrDefault(phase, List.of()).stream().mapToLong(Long::longValue).max().orElse(-1));
    }

    /** Counts of each distinct answer, in order. */
    private static Map<String, Integer> counts(List<String> all) {
        Map<String, Integer> counts = new TreeMap<>();
        all.forEach(a -> counts.merge(a, 1, Integer::sum));
        return counts;
    }

    private static JsonPath draft(String admin, String customer) {
        return given().baseUri(platform.invoicing.url()).header("Authorization", "Bearer " + admin)
                .get("/v1/customers/" + customer + "/invoices/draft").then().statusCode(200).extract().jsonPath();
    }

    private static long lineEvents(JsonPath draft) {
        return draft.getList("lines").isEmpty() ? 0 : draft.getLong("lines[0].eventCount");
    }

    private static void await(AtomicInteger sent, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (sent.get() < n) {
            assertThat(System.nanoTime()).as(n + " batches sent").isLessThan(deadline);
            SeededStream.sleep(50);
        }
    }
}
