package dev.tally.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./tally bench invoice-run --customers 100000}: finalizes last month for N customers with usage on three
 * meters (a graduated COUNT, a per-unit SUM, a package-priced MAX) on the running platform, and prints how long the
 * close took next to a same-run baseline: Postgres inserting N invoice-sized rows in batches over JDBC.
 *
 * <p>Setup (not timed): a tenant with a 31-day grace (the scheduled closer leaves it alone), the meters and a
 * plan, N customers by bulk import, 3N usage snapshots produced to {@code tally.usage.rated} as rating would,
 * waited for until invoicing stored them all. Timed: {@code POST /v1/invoices/close-all}. Checked afterwards: N
 * invoices, numbers 1..N without a gap, and Σ totals equal to the same invoices computed here with shared-model's
 * pure functions from the quantities sent.
 */
public final class InvoiceRun {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final String PLAN = """
            {"schemaVersion":1,"key":"scale","name":"Scale","currency":"USD","charges":[
             {"meter":"requests","description":"Requests","price":{"model":"graduated","tiers":[{"upTo":"10000","unitPrice":"0"},{"unitPrice":"0.0002"}]}},
             {"meter":"bandwidth","description":"Bandwidth (bytes)","price":{"model":"per_unit","unitPrice":"0.00000000009"}},
             {"meter":"peak_tunnels","description":"Peak tunnels","price":{"model":"package","packageSize":"100","packagePrice":"5"}}]}""";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("customers", "100000"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (o.containsKey("console-tenant")) {
            // only the console's reads, on a tenant an earlier invoice run left (the operator token acts in it)
            InvoiceRun r = new InvoiceRun();
            String operator = Files.readString(Path.of(env("TALLY_HOME", ".tally"), "admin-token")).trim();
            r.consoleReads(env("TALLY_INVOICING_URL", "http://127.0.0.1:8083"), operator, null, o.get("console-tenant"),
                    Integer.parseInt(o.get("customers")));
            return;
        }
        new InvoiceRun().run(Integer.parseInt(o.get("customers")));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private void run(int n) throws Exception {
        String invoicing = env("TALLY_INVOICING_URL", "http://127.0.0.1:8083");
        String operator = Files.readString(Path.of(env("TALLY_HOME", ".tally"), "admin-token")).trim();
        String dbUrl = env("TALLY_DB_URL", "jdbc:postgresql://127.0.0.1:15432/tally");
        String dbUser = env("TALLY_DB_USER", "tally");
        String dbPassword = env("TALLY_DB_PASSWORD", "");
        YearMonth last = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        Instant start = last.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = last.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        System.out.printf("invoice run: %d customers, 3 meters (graduated, per-unit, package), period %s → %s, everything on this box%n",
                n, start, end);

        long t0 = System.nanoTime();
        BenchTenant tenant = setUp(invoicing, operator, n, start);
        String tenantId = tenant.tenantId();
        System.out.printf("setup      tenant %s, %d customers imported in %.1f s%n", tenantId, tenant.customerIds().size(),
                (System.nanoTime() - t0) / 1e9);

        // usage: what rating would hand over, and the same invoices computed here
        PlanSpec spec = JSON.readValue(PLAN, PlanSpec.class);
        BillingPeriod period = new BillingPeriod(start, end);
        long t1 = System.nanoTime();
        Expected expected = produceUsage(tenant, spec, period);
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, dbPassword)) {
            awaitSnapshots(c, tenantId, n);
            System.out.printf("usage      %d snapshots produced and stored in %.1f s%n", 3 * n, (System.nanoTime() - t1) / 1e9);

            double baseline = baseline(c, n);

            long t2 = System.nanoTime();
            JsonNode closed = call("POST", invoicing + "/v1/invoices/close-all", tenant.admin(), "{}");
            double seconds = (System.nanoTime() - t2) / 1e9;

            Stored stored = stored(c, tenantId, expected.byCustomer());
            System.out.println();
            System.out.printf("close      %d invoices finalized in %.1f s (server: %s) → %.0f invoices/s%n", stored.invoices(), seconds,
                    closed.path("finalized").asText(), stored.invoices() / seconds);
            System.out.printf("baseline   Postgres: %d invoice-sized rows inserted over JDBC in batches → %.0f rows/s%n", n, baseline);
            double imported = n / tenant.importSeconds();
            System.out.printf("import     %d customers with a subscription and an alias each in %.1f s → %.0f rows/s, ratio %.3f of the raw"
                    + " insert rate; goal ≥ 10,000 rows/s (%s)%n", n, tenant.importSeconds(), imported, imported / baseline,
                    imported >= 10_000 ? "met" : "NOT met");
            System.out.printf("ratio      %.3f of the raw insert rate; goal: %d customers in < 60 s (%s)%n", stored.invoices() / seconds / baseline,
                    n, seconds < 60 ? "met" : "NOT met");
            boolean exact = stored.invoices() == n && closed.path("finalized").asLong() == n && stored.distinct() == n && stored.maxNumber() == n
                    && stored.total().compareTo(expected.total()) == 0 && stored.wrong() == 0;
            System.out.printf("check      invoices %d/%d, numbers 1..%d distinct %d, per-customer totals wrong %d, Σ totals USD %s vs computed"
                    + " here USD %s  %s%n", stored.invoices(), n, stored.maxNumber(), stored.distinct(), stored.wrong(), stored.total().toPlainString(),
                    expected.total().toPlainString(), exact ? "✔ exact" : "✘ MISMATCH");
            if (!exact) {
                System.exit(1);
            }
        }
        consoleReads(invoicing, operator, tenant.admin(), tenantId, n);
    }

    /** The bench tenant: its id, its admin key and its customers' ids, in import order. */
    /** The bench tenant, and how long the bulk import of its customers took (the import requests only). */
    private record BenchTenant(String tenantId, String admin, List<String> customerIds, double importSeconds) {
    }

    /** What the invoices must come to, computed here: Σ totals and each customer's total. */
    private record Expected(BigDecimal total, Map<String, BigDecimal> byCustomer) {
    }

    /** The tenant's invoices as stored after the close. */
    private record Stored(long invoices, long maxNumber, long distinct, BigDecimal total, long wrong) {
    }

    /** A tenant with a 31-day grace, the three meters, the plan, and {@code n} customers on it by bulk import (10,000 a request). */
    private BenchTenant setUp(String invoicing, String operator, int n, Instant start) throws Exception {
        JsonNode tenant = call("POST", invoicing + "/v1/admin/tenants", operator, "{\"name\":\"Invoice Run\"}");
        String tenantId = tenant.path("tenantId").asText();
        String admin = tenant.path("apiKey").path("key").asText();
        call("PATCH", invoicing + "/v1/admin/tenants/" + tenantId, operator, "{\"closeGrace\":\"P31D\"}");
        call("POST", invoicing + "/v1/meters", admin, "{\"key\":\"requests\",\"eventType\":\"request\",\"aggregation\":\"COUNT\"}");
        call("POST", invoicing + "/v1/meters", admin, "{\"key\":\"bandwidth\",\"eventType\":\"request\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}");
        call("POST", invoicing + "/v1/meters", admin,
                "{\"key\":\"peak_tunnels\",\"eventType\":\"gauge\",\"aggregation\":\"MAX\",\"property\":\"tunnels\"}");
        call("POST", invoicing + "/v1/plans?publish=true", admin, PLAN);
        List<String> ids = new ArrayList<>(n);
        long importStarted = System.nanoTime();
        for (int from = 0; from < n; from += 10_000) {
            // each customer owns one address (aliases.cidrs), so the console's IP search runs over 100k ranges
            StringBuilder csv = new StringBuilder("externalId,name,currency,plan,subscriptionStart,aliases.cidrs\n");
            for (int i = from; i < Math.min(n, from + 10_000); i++) {
                csv.append("c").append(i).append(",Customer ").append(i).append(",USD,scale,").append(start).append(',').append(address(i))
                        .append("/32\n");
            }
            JsonNode report = call("POST", invoicing + "/v1/customers/import", admin, csv.toString(), "text/csv");
            for (JsonNode r : report.path("results")) {
                if (!"created".equals(r.path("outcome").asText())) {
                    throw new IllegalStateException("import row refused: " + r);
                }
                ids.add(r.path("customerId").asText());
            }
        }
        return new BenchTenant(tenantId, admin, ids, (System.nanoTime() - importStarted) / 1e9);
    }

    /**
     * Produces each customer's usage on the three meters to {@code tally.usage.rated}, as rating would, and computes
     * the same invoices here with shared-model's pure functions.
     */
    private static Expected produceUsage(BenchTenant tenant, PlanSpec spec, BillingPeriod period) throws Exception {
        String tenantId = tenant.tenantId();
        List<String> ids = tenant.customerIds();
        BigDecimal expected = BigDecimal.ZERO;
        Map<String, BigDecimal> expectedByCustomer = new HashMap<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env("TALLY_KAFKA_BOOTSTRAP", "127.0.0.1:19092"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < ids.size(); i++) {
                Map<String, BigDecimal> q = quantities(i);
                Map<String, PlanCharges.MeterUsage> usage = new HashMap<>();
                for (Map.Entry<String, BigDecimal> e : q.entrySet()) {
                    RatedUsageV1 s = new RatedUsageV1(tenantId, ids.get(i), e.getKey(), period.start(), period.end(), e.getValue(), 1, 1,
                            Instant.now(), Map.of());
                    producer.send(new ProducerRecord<>(Topics.USAGE_RATED, tenantId + "/" + ids.get(i), JSON.writeValueAsString(s)));
                    usage.put(e.getKey(), new PlanCharges.MeterUsage(e.getValue(), 1));
                }
                BigDecimal one = InvoiceCalculator.compute("USD", period, PlanCharges.of(spec, usage), RoundingPolicy.DEFAULT).total().amount();
                expectedByCustomer.put(ids.get(i), one);
                expected = expected.add(one);
            }
        }
        return new Expected(expected, expectedByCustomer);
    }

    /** Waits (at most 10 minutes) until invoicing has stored the tenant's 3n usage snapshots. */
    private static void awaitSnapshots(Connection c, String tenantId, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (count(c, "select count(*) from invoicing.usage_snapshot where tenant_id = ?", tenantId) < 3L * n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("invoicing did not store the snapshots in 10 minutes");
            }
            Thread.sleep(500);
        }
    }

    /** The tenant's invoices as stored: count, highest number, distinct numbers, Σ totals, and totals that differ from {@code expected}. */
    private static Stored stored(Connection c, String tenantId, Map<String, BigDecimal> expectedByCustomer) throws Exception {
        long invoices = count(c, "select count(*) from invoicing.invoice where tenant_id = ?", tenantId);
        long maxNumber = count(c, "select coalesce(max(split_part(number, '-', 3)::bigint), 0) from invoicing.invoice where tenant_id = ?",
                tenantId);
        long distinct = count(c, "select count(distinct number) from invoicing.invoice where tenant_id = ?", tenantId);
        BigDecimal total;
        try (PreparedStatement ps = c.prepareStatement("select coalesce(sum(total), 0) from invoicing.invoice where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getBigDecimal(1);
            }
        }
        long wrong = 0;
        try (PreparedStatement ps = c.prepareStatement("select customer_id, total from invoicing.invoice where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BigDecimal want = expectedByCustomer.get(rs.getString(1));
                    if (want == null || want.compareTo(rs.getBigDecimal(2)) != 0) {
                        wrong++;
                    }
                }
            }
        }
        return new Stored(invoices, maxNumber, distinct, total, wrong);
    }

    /** Customer i's address: 10.x.y.z, unique for i below 2^24. */
    static String address(int i) {
        return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    /**
     * Issue 16: the console's reads on this data set — customer search (external id prefix, name part, IP) and the
     * invoice list (first page, number prefix, one customer, a deep page) — timed at invoicing's API and through the
     * console's pages (which call that API and render), as round trips on loopback; next to a same-run baseline (a
     * trivial request to invoicing: {@code /q/health/live}).
     */
    /** {@code admin}: the tenant's key; null: the operator token acting in the tenant. */
    private void consoleReads(String invoicing, String operator, String admin, String tenantId, int n) throws Exception {
        String console = env("TALLY_CONSOLE_URL", "http://127.0.0.1:8080");
        int rounds = Integer.parseInt(env("TALLY_BENCH_CONSOLE_ROUNDS", "100"));
        int k = n / 2;
        Map<String, String> api = new LinkedHashMap<>();
        api.put("search: external id prefix", "/v1/search/customers?q=c" + (k / 10));
        api.put("search: part of the name", "/v1/search/customers?q=tomer%20" + (k / 100));
        api.put("search: IP address", "/v1/search/customers?ip=" + address(k));
        api.put("invoices: first page", "/v1/invoices?limit=25");
        api.put("invoices: number prefix", "/v1/invoices?limit=25&number=INVOICERUN-");
        api.put("invoices: one customer", "/v1/invoices?limit=25&customer=c" + k);
        api.put("invoices: page at offset " + k, "/v1/invoices?limit=25&offset=" + k);
        System.out.println();
        System.out.printf("console    %d rounds each (after 10 warm-up), %d customers, %d invoices; round trips on loopback%n", rounds, n, n);
        double base = p95(invoicing + "/q/health/live", null, null, rounds)[1];
        System.out.printf("baseline   invoicing GET /q/health/live p95 %.1f ms%n", base);
        System.out.printf("%-34s %12s %12s %9s   %12s %12s%n", "", "API p50 ms", "API p95 ms", "ratio", "page p50 ms", "page p95 ms");
        for (Map.Entry<String, String> q : api.entrySet()) {
            double[] a = admin == null ? p95(invoicing + q.getValue(), operator, tenantId, rounds) : p95(invoicing + q.getValue(), admin, null, rounds);
            String page = q.getValue().replace("/v1/search/customers", "/t/" + tenantId + "/customers").replace("/v1/invoices", "/t/" + tenantId
                    + "/invoices").replace("limit=25&", "").replace("?limit=25", "");
            double[] p = p95(console + page, operator, null, rounds);
            System.out.printf("%-34s %12.1f %12.1f %9.1f   %12.1f %12.1f  %s%n", q.getKey(), a[0], a[1], a[1] / base, p[0], p[1],
                    p[1] < 300 ? "✔ < 300 ms" : "✘ ≥ 300 ms");
        }
    }

    /** p50 and p95 in ms of {@code rounds} sequential GETs (after 10 warm-up), each required to answer 200. */
    private double[] p95(String url, String token, String tenant, int rounds) throws Exception {
        long[] took = new long[rounds];
        for (int i = -10; i < rounds; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (tenant != null) {
                b.header("Tally-Tenant", tenant);
            }
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            long d = System.nanoTime() - t;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body().substring(0, Math.min(300, r.body().length())));
            }
            if (i >= 0) {
                took[i] = d;
            }
        }
        Arrays.sort(took);
        return new double[] {took[rounds / 2] / 1e6, took[(int) Math.ceil(rounds * 0.95) - 1] / 1e6};
    }

    /** Customer i's usage on the three meters: deterministic, varied, across the price tiers. */
    static Map<String, BigDecimal> quantities(int i) {
        return Map.of("requests", BigDecimal.valueOf(1_000 + (i * 7_919L) % 50_000),
                "bandwidth", new BigDecimal((i * 104_729L) % 1_000_000_000L + "." + (i % 100)),
                "peak_tunnels", BigDecimal.valueOf(i % 500));
    }

    /** Rows/s of batched JDBC inserts of N rows shaped like an invoice (ids, period, total and a ~1 KB document). */
    private static double baseline(Connection c, int n) throws Exception {
        String doc = "x".repeat(1_000);
        try (Statement s = c.createStatement()) {
            s.execute("create temporary table bench_invoice (id text primary key, tenant_id text, customer_id text, period_start timestamptz,"
                    + " total numeric, document text)");
        }
        long t = System.nanoTime();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("insert into bench_invoice values (?, ?, ?, now(), ?, ?)")) {
            for (int i = 0; i < n; i++) {
                ps.setString(1, "inv_" + i);
                ps.setString(2, "t");
                ps.setString(3, "c" + i);
                ps.setBigDecimal(4, BigDecimal.valueOf(i, 2));
                ps.setString(5, doc);
                ps.addBatch();
                if (i % 200 == 199) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
        return n / ((System.nanoTime() - t) / 1e9);
    }

    private static long count(Connection c, String sql, String arg) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private JsonNode call(String method, String url, String token, String body) throws Exception {
        return call(method, url, token, body, "application/json");
    }

    private JsonNode call(String method, String url, String token, String body, String type) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(15))
                .header("Authorization", "Bearer " + token).header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
