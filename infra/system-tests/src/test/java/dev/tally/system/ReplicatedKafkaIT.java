package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.infra.local.LocalStack;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform on a replicated Kafka (issue 23): three KRaft nodes (each a broker and a voting controller), every topic
 * with three replicas and {@code min.insync.replicas=2}, producers with {@code acks=all} and idempotence — on a stack of
 * its own ({@code target/replicated-stack}). A seeded stream with duplicates and retractions goes on while the leader
 * of a partition is SIGKILLed (leaders move) and started again, and then while two of the three nodes are SIGKILLed at
 * once: ingest still answers every request (the events wait in its outbox: a write to Kafka needs two replicas), and
 * when the nodes are back, every unique, unretracted event is counted exactly once and reconciliation finds no drift.
 */
class ReplicatedKafkaIT {
    private static final String TOPIC = "tally.events.accepted";
    private static final List<String> CUSTOMERS = List.of("k0", "k1", "k2", "k3");
    /** How many requests are answered before two of the three nodes go down (the stream waits there for it). */
    private static final int TWO_DOWN_AT = 14 * SeededStream.scale();
    private static OwnPlatform platform;
    private static LocalStack stack;
    private static ServiceProcess ingest;
    private static ServiceProcess invoicing;

    @BeforeAll
    static void start() throws Exception {
        platform = new OwnPlatform(LocalStack.ephemeral(Path.of("target", "replicated-stack"), 3), Map.of());
        assertThat(platform.addresses.kafkaBootstrap().split(",")).hasSize(3);
        stack = platform.stack;
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
    void losingAPartitionLeaderAndThenTwoOfThreeBrokersLosesAndDoublesNothing() throws Exception {
        OwnPlatform.Tenant tenant = platform.tenant("Replicated", "0.000001", false);
        String admin = tenant.adminKey();
        String key = tenant.ingestKey();
        for (String c : CUSTOMERS) {
            post(invoicing.url(), admin, "/v1/customers", "{\"externalId\":\"%s\",\"name\":\"%s\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                    .formatted(c, c, Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS))).then().statusCode(201);
        }
        SeededStream stream = new SeededStream("rk-", CUSTOMERS, 20 * SeededStream.scale(), 200, 31);
        AtomicInteger sent = new AtomicInteger();
        List<Long> answeredWhileTwoWereDown = new ArrayList<>();
        AtomicInteger twoDown = new AtomicInteger();
        CountDownLatch twoDownGate = new CountDownLatch(1);
        Thread sender = Thread.ofPlatform().start(() -> {
            for (String body : stream.bodies) {
                if (sent.get() == TWO_DOWN_AT) { // the rest of the stream waits until two nodes are down
                    awaitGate(twoDownGate);
                }
                long t0 = System.nanoTime();
                sendUntilAnswered(key, body);
                if (twoDown.get() == 1) {
                    answeredWhileTwoWereDown.add(Duration.ofNanos(System.nanoTime() - t0).toMillis());
                }
                sent.incrementAndGet();
                SeededStream.sleep(150);
            }
        });

        await(sent, 5 * SeededStream.scale());
        int leader = stack.kafkaLeader(TOPIC, 0);
        stack.killKafkaNode(leader);
        long moved = System.nanoTime();
        while (leaderOrMinusOne() == leader || leaderOrMinusOne() < 0) {
            assertThat(Duration.ofNanos(System.nanoTime() - moved)).as("partition 0's leadership moved").isLessThan(Duration.ofSeconds(60));
            SeededStream.sleep(200);
        }
        System.out.printf("node %d (leader of %s-0) SIGKILLed: node %d leads it %d ms later%n", leader, TOPIC, leaderOrMinusOne(),
                Duration.ofNanos(System.nanoTime() - moved).toMillis());
        await(sent, 10 * SeededStream.scale());
        stack.startKafkaNode(leader);

        await(sent, TWO_DOWN_AT);
        int survivor = stack.kafkaLeader(TOPIC, 0);
        List<Integer> killed = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            if (n != survivor) {
                stack.killKafkaNode(n);
                killed.add(n);
            }
        }
        twoDown.set(1);
        twoDownGate.countDown();
        await(sent, TWO_DOWN_AT + 3); // three more requests answered while only one node of three is up
        twoDown.set(2);
        for (int n : killed) {
            stack.startKafkaNode(n);
        }
        System.out.printf("nodes %s SIGKILLed, node %d alone for %d requests (answered in %s ms), then both started again%n", killed, survivor,
                answeredWhileTwoWereDown.size(), answeredWhileTwoWereDown);
        sender.join(Duration.ofMinutes(4L * SeededStream.scale()));
        assertThat(sent.get()).isEqualTo(stream.bodies.size());
        assertThat(answeredWhileTwoWereDown).as("ingest answered while Kafka could take no write").isNotEmpty();

        List<String> retracted = new ArrayList<>(new TreeSet<>(stream.byId.keySet())).subList(0, 30);
        post(ingest.url(), key, "/v1/events/retract", "{\"ids\":" + retracted.stream().map(id -> "\"" + id + "\"").toList() + ",\"reason\":\"test\"}")
                .then().statusCode(200).extract().jsonPath().getList("results.outcome", String.class).forEach(o -> assertThat(o).isEqualTo("retracted"));
        stream.retract(retracted);
        for (String c : CUSTOMERS) {
            JsonPath draft = SeededStream.awaitDraft(invoicing.url(), admin, c + "/invoices/draft", stream.events(c));
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).as(c + " bytes").isEqualByComparingTo(BigDecimal.valueOf(stream.bytes(c)));
        }
        JsonPath reconciled = post(invoicing.url(), admin, "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
        System.out.println(stream.summary());
        assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
    }

    private static int leaderOrMinusOne() {
        try {
            return stack.kafkaLeader(TOPIC, 0);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void sendUntilAnswered(String key, String body) {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            try {
                Response r = post(ingest.url(), key, "/v1/events", body);
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (Exception e) {
                // refused or reset
            }
            assertThat(System.nanoTime()).as("ingest never accepted a batch").isLessThan(deadline);
            SeededStream.sleep(100);
        }
    }

    private static void awaitGate(CountDownLatch gate) {
        try {
            assertThat(gate.await(3, TimeUnit.MINUTES)).as("two nodes went down").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(AtomicInteger sent, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (sent.get() < n) {
            assertThat(System.nanoTime()).as(n + " batches sent").isLessThan(deadline);
            SeededStream.sleep(50);
        }
    }
}
