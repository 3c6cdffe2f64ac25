package dev.tally.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./tally bench pipeline}: the ingest load generator against the whole pipeline (ingest and
 * rating on the same box), with nine meters on the traffic (a COUNT per event type, so events rated =
 * the sum of the COUNT meters, and SUMs on bytes and sizes, one grouped by region). It prints events
 * accepted and rated per second during the load, the rating lag when the load stops and how long it
 * takes to drain, and freshness: a probe event sent every 500 ms to its own customer, timed from
 * ingest's 200 to the moment rating's usage API shows it (p50/p99).
 */
public final class PipelineLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The COUNT meter of each event type the generator sends: their sum is the number of events rated. */
    private static final List<String> COUNTS = List.of("requests", "sessions", "errors", "transactions", "attachments");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final String rating;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private Path home;

    private PipelineLoad(String rating, String dbUrl, String dbUser, String dbPassword) {
        this.rating = rating;
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("seconds", "60", "batch", "1000", "dup-rate", "0.2", "senders", "4",
                "profile", "mixed", "warmup", "10", "rate", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String home = System.getenv().getOrDefault("TALLY_HOME", ".tally");
        IngestLoad ingest = new IngestLoad(System.getenv().getOrDefault("TALLY_INGEST_URL", "http://127.0.0.1:8081"),
                System.getenv().getOrDefault("TALLY_INVOICING_URL", "http://127.0.0.1:8083"));
        PipelineLoad p = new PipelineLoad(System.getenv().getOrDefault("TALLY_RATING_URL", "http://127.0.0.1:8082"),
                System.getenv().getOrDefault("TALLY_DB_URL", "jdbc:postgresql://127.0.0.1:15432/tally"),
                System.getenv().getOrDefault("TALLY_DB_USER", "tally"), System.getenv().getOrDefault("TALLY_DB_PASSWORD", ""));
        ingest.offeredRate = Double.parseDouble(o.get("rate"));
        p.home = Path.of(home);
        p.run(ingest, Files.readString(Path.of(home, "admin-token")).trim(), Integer.parseInt(o.get("seconds")),
                Integer.parseInt(o.get("warmup")), Integer.parseInt(o.get("batch")), Double.parseDouble(o.get("dup-rate")),
                Integer.parseInt(o.get("senders")), o.get("profile"));
    }

    private void run(IngestLoad ingest, String operator, int seconds, int warmup, int batch, double dupRate, int senders, String profile)
            throws Exception {
        BenchTenant tenant = setUp(ingest, operator);
        String tenantId = tenant.tenantId();
        String key = tenant.ingestKey();
        String readKey = tenant.readKey();
        System.out.printf("pipeline load: profile %s, batch %d, duplicate rate %.0f%%, %d senders, %d s (+%d s warm-up), %d customers,"
                + " 10 meters, ingest and rating on one box, offered %s%n", profile, batch, dupRate * 100, senders, seconds, warmup,
                IngestLoad.CUSTOMERS, ingest.offeredRate > 0 ? String.format("%,.0f events/s", ingest.offeredRate) : "as fast as ingest answers");

        Generator gen = new Generator(profile, dupRate, System.nanoTime());
        ingest.runPhase(gen, key, batch, senders, warmup, false);
        awaitDrained(tenantId, -1, Duration.ofSeconds(120)); // start measuring once rating has settled
        long ratedBefore = rated(tenantId);

        AtomicBoolean probing = new AtomicBoolean(true);
        var probes = Executors.newSingleThreadExecutor();
        Future<List<Double>> freshness = probes.submit(() -> probe(ingest, key, readKey, probing));
        var checker = Executors.newSingleThreadExecutor();
        Future<List<Double>> checks = checker.submit(() -> entitlementChecks(key, probing));
        List<String> services = List.of("ingest", "ingest-2", "rating", "rating-2", "invoicing", "admin-ui");
        Footprint footprint = new Footprint(home, services);
        CpuProfile cpu = new CpuProfile(home, services);
        footprint.start();
        cpu.start();
        long t0 = System.nanoTime();
        IngestLoad.Result r = ingest.runPhase(gen, key, batch, senders, seconds, true);
        cpu.stop();
        footprint.stop();
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long ratedAtEnd = rated(tenantId) - ratedBefore;
        long lagAtEnd = r.accepted() - ratedAtEnd;
        long drainStart = System.nanoTime();
        long ratedTotal = awaitDrained(tenantId, ratedBefore + r.accepted(), Duration.ofSeconds(600)) - ratedBefore;
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        probing.set(false);
        List<Double> fresh = freshness.get();
        List<Double> entitlement = checks.get();
        probes.shutdown();
        checker.shutdown();

        printFigures(r, ratedAtEnd, ratedTotal, lagAtEnd, loadSeconds, drainSeconds, fresh, entitlement);
        footprint.print();
        cpu.print();
        String report = System.getenv("TALLY_BENCH_REPORT");
        if (report != null) {
            ScaleOutReport.write(Path.of(report), ingest.ingest.length, r.accepted() / loadSeconds, ratedAtEnd / loadSeconds,
                    ratedTotal / (loadSeconds + drainSeconds), r.p99(), ratedTotal == r.accepted() && r.failures() == 0, cpu);
        }
    }

    private static void printFigures(IngestLoad.Result r, long ratedAtEnd, long ratedTotal, long lagAtEnd, double loadSeconds, double drainSeconds,
            List<Double> fresh, List<Double> entitlement) {
        System.out.println();
        System.out.printf("%-48s %14s%n", "measure", "value");
        System.out.printf("%-48s %,14d%n", "events accepted (measured phase)", r.accepted());
        System.out.printf("%-48s %,14d%n", "events rated by the end of the load", ratedAtEnd);
        System.out.printf("%-48s %,14d%n", "events rated after draining", ratedTotal);
        System.out.printf("%-48s %14s%n", "rated = accepted, exactly", ratedTotal == r.accepted() ? "yes" : "NO");
        System.out.printf("%-48s %,14.0f%n", "accepted events/s", r.accepted() / loadSeconds);
        System.out.printf("%-48s %,14.0f%n", "rated events/s during the load", ratedAtEnd / loadSeconds);
        System.out.printf("%-48s %,14.0f%n", "rated events/s including the drain", ratedTotal / (loadSeconds + drainSeconds));
        System.out.printf("%-48s %,14d%n", "rating lag when the load stopped (events)", lagAtEnd);
        System.out.printf("%-48s %14.1f%n", "drain time after the load (s)", drainSeconds);
        System.out.printf("%-48s %14d%n", "freshness probes", fresh.size());
        System.out.printf("%-48s %14.0f%n", "freshness p50 (ms, accepted → in usage API)", percentile(fresh, 0.50));
        System.out.printf("%-48s %14.0f%n", "freshness p99 (ms)", percentile(fresh, 0.99));
        System.out.printf("%-48s %,14d%n", "entitlement checks (one client, back to back)", entitlement.size());
        System.out.printf("%-48s %14.2f%n", "entitlement check p50 (ms, HTTP round trip)", percentile(entitlement, 0.50));
        System.out.printf("%-48s %14.2f%n", "entitlement check p99 (ms)", percentile(entitlement, 0.99));
        System.out.printf("%-48s %14.1f%n", "ingest request latency p99 (ms)", r.p99());
        System.out.printf("%-48s %,14d%n", "failed requests", r.failures());
    }

    /** The bench tenant: its id, an ingest key that ingest knows the customers under, and a read key for the usage API. */
    private record BenchTenant(String tenantId, String ingestKey, String readKey) {
    }

    /** A tenant with the ten meters, the probe customer (with a limit, for the entitlement checks) and the generator's customers. */
    private static BenchTenant setUp(IngestLoad ingest, String operator) throws Exception {
        JsonNode tenant = ingest.call("POST", ingest.invoicing + "/v1/admin/tenants", operator, "application/json", "{\"name\":\"Pipeline\"}");
        String tenantId = tenant.path("tenantId").asText();
        String admin = tenant.path("apiKey").path("key").asText();
        for (String meter : List.of(
                "{\"key\":\"requests\",\"eventType\":\"http.request\",\"aggregation\":\"COUNT\"}",
                "{\"key\":\"bytes_out\",\"eventType\":\"http.request\",\"aggregation\":\"SUM\",\"property\":\"bytes_out\"}",
                "{\"key\":\"sessions\",\"eventType\":\"tunnel.session\",\"aggregation\":\"COUNT\"}",
                "{\"key\":\"tunnel_bytes\",\"eventType\":\"tunnel.session\",\"aggregation\":\"SUM\",\"property\":\"bytes\",\"groupBy\":[\"region\"]}",
                "{\"key\":\"errors\",\"eventType\":\"error\",\"aggregation\":\"COUNT\"}",
                "{\"key\":\"error_bytes\",\"eventType\":\"error\",\"aggregation\":\"SUM\",\"property\":\"size_bytes\"}",
                "{\"key\":\"transactions\",\"eventType\":\"transaction\",\"aggregation\":\"COUNT\"}",
                "{\"key\":\"attachments\",\"eventType\":\"attachment\",\"aggregation\":\"COUNT\"}",
                "{\"key\":\"attachment_bytes\",\"eventType\":\"attachment\",\"aggregation\":\"SUM\",\"property\":\"size_bytes\"}",
                "{\"key\":\"probes\",\"eventType\":\"probe\",\"aggregation\":\"COUNT\"}")) {
            ingest.call("POST", ingest.invoicing + "/v1/meters", admin, "application/json", meter);
        }
        ingest.call("POST", ingest.invoicing + "/v1/customers", admin, "application/json", "{\"externalId\":\"probe\",\"name\":\"Probe\",\"currency\":\"USD\"}");
        String readKey = ingest.call("POST", ingest.invoicing + "/v1/api-keys", admin, "application/json", "{\"scope\":\"read\"}")
                .path("key").asText();
        String key = ingest.setUpTenant(admin);
        ingest.call("PUT", ingest.invoicing + "/v1/customers/probe/limits/probes", admin, "application/json", "{\"limit\":1000000}");
        return new BenchTenant(tenantId, key, readKey);
    }

    /** Every 500 ms: one probe event, then the usage API polled every 10 ms until rating shows it. */
    private List<Double> probe(IngestLoad ingest, String key, String readKey, AtomicBoolean running) throws Exception {
        List<Double> out = new ArrayList<>();
        long seen = probeCount(readKey);
        int n = 0;
        while (running.get()) {
            String body = "[{\"id\":\"probe-" + System.nanoTime() + "-" + n++ + "\",\"type\":\"probe\",\"customer\":\"probe\",\"timestamp\":\""
                    + Instant.now() + "\"}]";
            HttpResponse<String> r = ingest.post(key, body);
            long accepted = System.nanoTime();
            if (r.statusCode() != 200 || !r.body().contains("\"accepted\":1")) {
                continue;
            }
            long deadline = accepted + Duration.ofSeconds(120).toNanos();
            while (probeCount(readKey) <= seen) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a probe was not visible within 120 s");
                }
                Thread.sleep(10);
            }
            out.add((System.nanoTime() - accepted) / 1e6);
            seen++;
            Thread.sleep(500);
        }
        return out;
    }

    /** Entitlement checks for the probe customer, back to back with the ingest key (as a gateway would), timed. */
    private List<Double> entitlementChecks(String key, AtomicBoolean running) throws Exception {
        List<Double> out = new ArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(rating + "/v1/customers/probe/entitlements/probes"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).GET().build();
        while (running.get()) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                out.add((System.nanoTime() - t0) / 1e6);
            }
            Thread.sleep(5);
        }
        return out;
    }

    private long probeCount(String readKey) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rating + "/v1/customers/probe/usage?meter=probes"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + readKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return -1; // rating's catalog view may not know the probe customer yet
        }
        return JSON.readTree(r.body()).path("meters").path(0).path("eventCount").asLong();
    }

    /** Waits until the tenant's rated events stop changing (target -1) or reach {@code target}; returns the rated count. */
    private long awaitDrained(String tenantId, long target, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        int stable = 0;
        while (System.nanoTime() < deadline) {
            long now = rated(tenantId);
            if (target >= 0 ? now >= target : (now == last && ++stable >= 10)) {
                return now;
            }
            if (now != last) {
                stable = 0;
            }
            last = now;
            Thread.sleep(100);
        }
        return rated(tenantId);
    }

    /** Events rated for the tenant: the sum of the per-type COUNT meters over all customers and periods. */
    private long rated(String tenantId) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, dbPassword);
             PreparedStatement ps = c.prepareStatement(
                     "select coalesce(sum(event_count), 0) from rating.usage_aggregate where tenant_id = ? and meter_key = any(?)")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", COUNTS.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p)));
    }
}
