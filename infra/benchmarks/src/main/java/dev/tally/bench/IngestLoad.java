package dev.tally.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./tally bench ingest [--seconds 60] [--batch 1000] [--dup-rate 0.2] [--senders 4] [--profile mixed] [--rating off]}:
 * drives a running platform's ingest with realistic traffic and prints accepted events/s, request
 * latency p50/p99 and whether every duplicate was recognised — next to the raw throughput of an
 * idempotent Kafka producer ({@code acks=all}) sending records of the same size to the same broker,
 * measured in the same run, and the ratio of the two.
 *
 * <p>Profiles: {@code gateway} (HTTP requests with bytes in/out, tunnel sessions, attributed by
 * source IP), {@code errors} (error events, transactions with durations, attachments with sizes,
 * attributed by customer id), {@code mixed} (half each). A duplicate is an exact re-send of an event
 * already sent (a client retry), in the same request or a later one.
 */
public final class IngestLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COUNT = Pattern.compile("\"(accepted|duplicates|rejected)\":(\\d+)");
    static final int CUSTOMERS = 200;

    /** ingest's base URLs (TALLY_INGEST_URL, comma-separated for several instances): requests go round-robin over them. */
    final String[] ingest;
    private final AtomicLong nextIngest = new AtomicLong();
    final String invoicing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

    /** The offered load in events/s over all senders; 0: as fast as ingest answers (each sender back to back). */
    volatile double offeredRate;

    IngestLoad(String ingest, String invoicing) {
        this.ingest = ingest.split(",");
        this.invoicing = invoicing;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("seconds", "60", "batch", "1000", "dup-rate", "0.2", "senders", "4",
                "profile", "mixed", "warmup", "10", "phase", "all", "rating", "off"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String home = System.getenv().getOrDefault("TALLY_HOME", ".tally");
        Path state = Path.of(home, "bench-ingest.key");
        String bootstrap = System.getenv().getOrDefault("TALLY_KAFKA_BOOTSTRAP", "127.0.0.1:" + System.getenv().getOrDefault("TALLY_KAFKA_PORT", "19092"));
        IngestLoad load = new IngestLoad(System.getenv().getOrDefault("TALLY_INGEST_URL", "http://127.0.0.1:8081"),
                System.getenv().getOrDefault("TALLY_INVOICING_URL", "http://127.0.0.1:8083"));
        String phase = o.get("phase");
        String ingestKey;
        if (phase.equals("load")) {
            ingestKey = Files.readString(state).trim();
            Files.delete(state);
        } else {
            ingestKey = load.setUp(Files.readString(Path.of(home, "admin-token")).trim());
            if (phase.equals("setup")) {
                Files.writeString(state, ingestKey); // TALLY_HOME is the operator's own directory, like admin-token
                return;
            }
        }
        load.run(ingestKey, bootstrap, Integer.parseInt(o.get("seconds")), Integer.parseInt(o.get("warmup")), Integer.parseInt(o.get("batch")),
                Double.parseDouble(o.get("dup-rate")), Integer.parseInt(o.get("senders")), o.get("profile"), o.get("rating"));
    }

    /** A tenant with an ingest key and {@link #CUSTOMERS} customers (a /16 each), known to ingest. */
    private String setUp(String operator) throws Exception {
        JsonNode tenant = call("POST", invoicing + "/v1/admin/tenants", operator, "application/json", "{\"name\":\"Bench\"}");
        return setUpTenant(tenant.path("apiKey").path("key").asText());
    }

    /** {@link #CUSTOMERS} customers in the admin key's tenant and an ingest key that ingest already knows them under. */
    String setUpTenant(String adminKey) throws Exception {
        String ingestKey = call("POST", invoicing + "/v1/api-keys", adminKey, "application/json", "{\"scope\":\"ingest\"}").path("key").asText();
        StringBuilder csv = new StringBuilder("externalId,name,currency,aliases.cidrs\n");
        for (int c = 0; c < CUSTOMERS; c++) {
            csv.append("cust-").append(c).append(",Customer ").append(c).append(",USD,10.").append(c).append(".0.0/16\n");
        }
        JsonNode imported = call("POST", invoicing + "/v1/customers/import", adminKey, "text/csv", csv.toString());
        if (imported.path("created").asInt() != CUSTOMERS) {
            throw new IllegalStateException("customer import failed: " + imported);
        }
        awaitAttribution(ingestKey);
        return ingestKey;
    }

    private void run(String ingestKey, String bootstrap, int seconds, int warmup, int batch, double dupRate, int senders, String profile,
            String rating) throws Exception {
        System.out.printf("ingest load: profile %s, batch %d, duplicate rate %.0f%%, %d senders, %d s (+%d s warm-up), %d customers,"
                + " rating %s%n", profile, batch, dupRate * 100, senders, seconds, warmup, CUSTOMERS, rating);

        Generator gen = new Generator(profile, dupRate, System.nanoTime());
        runPhase(gen, ingestKey, batch, senders, warmup, false);
        ArchivePace archive = ArchivePace.of(this);
        long archivedBefore = archive == null ? 0 : archive.archived();
        Result r = runPhase(gen, ingestKey, batch, senders, seconds, true);
        String archived = archive == null ? "" : archive.measure(archivedBefore, archive.archived(), r.accepted, r.seconds);
        double eventsPerSecond = r.accepted / r.seconds;
        int size = gen.averageEventBytes();
        double raw = kafkaBaseline(bootstrap, size, Math.max(5, Math.min(seconds, 20)));

        System.out.println();
        System.out.printf("%-44s %14s%n", "measure", "value");
        System.out.printf("%-44s %,14d%n", "events sent", r.sent);
        System.out.printf("%-44s %,14d%n", "accepted", r.accepted);
        System.out.printf("%-44s %,14d%n", "duplicates reported", r.duplicates);
        System.out.printf("%-44s %,14d%n", "duplicates sent", r.duplicatesSent);
        System.out.printf("%-44s %,14d%n", "rejected", r.rejected);
        System.out.printf("%-44s %,14d%n", "failed requests", r.failures);
        System.out.printf("%-44s %14s%n", "every duplicate recognised, none invented",
                r.duplicates == r.duplicatesSent && r.accepted == r.sent - r.duplicatesSent && r.failures == 0 ? "yes" : "NO");
        System.out.printf("%-44s %,14.0f%n", "accepted events/s (sustained)", eventsPerSecond);
        System.out.printf("%-44s %14.1f%n", "request latency p50 (ms)", r.p50);
        System.out.printf("%-44s %14.1f%n", "request latency p99 (ms)", r.p99);
        System.out.printf("%-44s %,14d%n", "average event size (bytes)", size);
        System.out.printf("%-44s %,14.0f%n", "raw Kafka idempotent producer records/s", raw);
        System.out.printf("%-44s %14.3f%n", "ingest ÷ raw producer", eventsPerSecond / raw);
        System.out.print(archived);
    }

    /** Until every ingest instance attributes an event to the last bench customer. */
    private void awaitAttribution(String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String base : ingest) {
            String probe = "{\"events\":[{\"id\":\"probe-" + System.nanoTime() + "\",\"type\":\"probe\",\"customer\":\"cust-" + (CUSTOMERS - 1)
                    + "\",\"timestamp\":\"" + Instant.now() + "\",\"properties\":{}}]}";
            while (true) {
                HttpResponse<String> r = post(base, key, probe);
                if (r.statusCode() == 200 && r.body().matches("(?s).*\"(accepted|duplicates)\":1.*")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(base + " did not learn the bench customers within 60 s");
                }
                Thread.sleep(200);
            }
        }
    }

    record Result(long sent, long accepted, long duplicates, long duplicatesSent, long rejected, long failures, double seconds, double p50,
            double p99) {
    }

    Result runPhase(Generator gen, String key, int batch, int senders, int seconds, boolean measure) throws Exception {
        SendCounts counts = new SendCounts();
        long[][] latencies = new long[senders][];
        int[] recorded = new int[senders];
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<Integer>> futures = new ArrayList<>(senders);
        for (int s = 0; s < senders; s++) {
            long[] mine = new long[1 << 16];
            latencies[s] = mine;
            futures.add(pool.submit(() -> sendUntil(end, gen, key, batch, counts, mine, senders)));
        }
        for (int s = 0; s < senders; s++) {
            recorded[s] = futures.get(s).get();
        }
        pool.shutdown();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] all = new long[Arrays.stream(recorded).sum()];
        int k = 0;
        for (int s = 0; s < senders; s++) {
            System.arraycopy(latencies[s], 0, all, k, recorded[s]);
            k += recorded[s];
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.50)] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        if (!measure) {
            System.out.printf("warm-up: %,d events in %.1f s%n", counts.sent.sum(), elapsed);
        }
        return new Result(counts.sent.sum(), counts.accepted.sum(), counts.duplicates.sum(), counts.duplicatesSent.sum(), counts.rejected.sum(),
                counts.failures.sum(), elapsed, p50, p99);
    }


    /**
     * One sender: requests back to back until {@code end} (System.nanoTime), each answer counted into {@code counts};
     * the requests' latencies (ns) go to {@code latencies} while it has room. Returns how many latencies it recorded.
     */
    private int sendUntil(long end, Generator gen, String key, int batch, SendCounts counts, long[] latencies, int senders) {
        int recorded = 0;
        long started = System.nanoTime();
        long sentHere = 0;
        double share = offeredRate / senders; // this sender's events/s; 0: unpaced
        while (System.nanoTime() < end) {
            if (share > 0) { // paced: the next request leaves when this sender's share of the rate allows it
                long due = started + (long) (sentHere / share * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            Generator.Body body = gen.body(batch);
            sentHere += body.events();
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = post(key, body.json());
                long t = System.nanoTime() - t0;
                if (recorded < latencies.length) {
                    latencies[recorded++] = t;
                }
                if (r.statusCode() != 200) {
                    counts.failures.increment();
                    continue;
                }
                Matcher m = COUNT.matcher(r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
                while (m.find()) {
                    long n = Long.parseLong(m.group(2));
                    switch (m.group(1)) {
                        case "accepted" -> counts.accepted.add(n);
                        case "duplicates" -> counts.duplicates.add(n);
                        default -> counts.rejected.add(n);
                    }
                }
                counts.sent.add(body.events());
                counts.duplicatesSent.add(body.duplicates());
            } catch (Exception e) {
                counts.failures.increment();
            }
        }
        return recorded;
    }

    /**
     * Records/s of an idempotent producer (acks=all) sending {@code size}-byte values to a 4-partition
     * topic, with the settings of the platform's outbox relay (KafkaClients: linger 5 ms, 256 KiB batches, no compression).
     */
    private static double kafkaBaseline(String bootstrap, int size, int seconds) throws Exception {
        String topic = "tally.bench.raw";
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin a = Admin.create(admin)) {
            if (!a.listTopics().names().get().contains(topic)) {
                a.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, System.getProperty("tally.bench.batch-size", "262144"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Generator gen = new Generator("mixed", 0, 7);
        String[] values = new String[1024];
        for (int i = 0; i < values.length; i++) {
            String v = gen.eventJson(i);
            values[i] = v.length() >= size ? v.substring(0, size) : v + " ".repeat(size - v.length());
        }
        AtomicLong acked = new AtomicLong();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long started = System.nanoTime();
            long i = 0;
            while (System.nanoTime() < end) {
                producer.send(new ProducerRecord<>(topic, "t/cust-" + (i % CUSTOMERS), values[(int) (i & 1023)]), (md, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
                i++;
            }
            producer.flush();
            return acked.get() / ((System.nanoTime() - started) / 1e9);
        }
    }

    HttpResponse<String> post(String key, String body) throws Exception {
        return post(ingest[(int) (nextIngest.getAndIncrement() % ingest.length)], key, body);
    }

    private HttpResponse<String> post(String base, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/events")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode call(String method, String url, String token, String type, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token).header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
