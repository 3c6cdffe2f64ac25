package dev.tally.system;

import static dev.tally.system.SystemRequests.event;
import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.LocalStackResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile and broken input against the packaged services: a corpus of bodies (malformed, truncated, deeply nested,
 * huge, invalid UTF-8, duplicate keys, 1e400, NaN, NUL, SQL-looking text …) sent to every public write endpoint,
 * hostile events among good ones, hostile headers (no key, forged keys, wrong content types, a gzip bomb), and one
 * tenant's ids tried with another tenant's key. Each must get a 4xx problem+json without a stack trace, write
 * nothing (rows counted in PostgreSQL before and after), and leave the service healthy with its neighbours
 * counted. Last, the services' logs are searched for every secret the run handled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    private static final String OPERATOR = "system-test-operator-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .build();
    private static ServiceProcess ingest;
    private static ServiceProcess rating;
    private static ServiceProcess invoicing;
    /** Every secret this run created or sent: none may appear in a log. */
    private static final List<String> SECRETS = new ArrayList<>();

    record Tenant(String id, String adminKey, String ingestKey) {
    }

    private static Tenant a;
    private static Tenant b;
    private static long ratingLogMark;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(LocalStackResource.addresses().asEnv());
        env.put("TALLY_ADMIN_TOKEN", OPERATOR);
        env.put("TALLY_OTEL_SDK_DISABLED", "true");
        env.put("TALLY_API_RATE_LIMIT", "50"); // per key and second; the corpus below fits in the burst
        env.put("TALLY_API_RATE_BURST", "450");
        env.put("TALLY_HTTP_READ_TIMEOUT", "3S"); // a stalled body is abandoned after 3 s here (10 s by default)
        env.put("TALLY_INGEST_MAX_IN_FLIGHT", "16"); // writes in flight per key (64 by default)
        ingest = new ServiceProcess("ingest", env).start();
        // rating logs as a deployment with logging.json=true would: one JSON object per line (checked last)
        Map<String, String> jsonLogs = new HashMap<>(env);
        jsonLogs.put("TALLY_LOG_JSON", "true");
        Path ratingLog = Path.of("target", "system-rating.log");
        ratingLogMark = Files.exists(ratingLog) ? Files.size(ratingLog) : 0;
        rating = new ServiceProcess("rating", jsonLogs).start();
        invoicing = new ServiceProcess("invoicing", env).start();
        SECRETS.add(OPERATOR);
        SECRETS.add(ServiceProcess.secretsKeys().substring(ServiceProcess.secretsKeys().indexOf(':') + 1)); // the key, without its id
        a = tenant("Hostile A");
        b = tenant("Hostile B");
        // the catalog reaches ingest asynchronously: wait until A's first good event is accepted
        awaitAccepted(a, event("warm-up", 1));
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] {ingest, rating, invoicing}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    private static Tenant tenant(String name) {
        JsonPath t = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}").post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        String admin = t.getString("apiKey.key");
        String ingestKey = post(invoicing.url(), admin, "/v1/api-keys", "{\"scope\":\"ingest\"}").then().statusCode(201).extract().path("key");
        SECRETS.add(admin);
        SECRETS.add(ingestKey);
        post(invoicing.url(), admin, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .then().statusCode(201);
        post(invoicing.url(), admin, "/v1/plans?publish=true", """
                {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.01"}}]}""")
                .then().statusCode(201);
        post(invoicing.url(), admin, "/v1/customers", "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                .formatted(Instant.now().minusSeconds(86_400).truncatedTo(ChronoUnit.SECONDS))).then().statusCode(201);
        String secret = post(invoicing.url(), admin, "/v1/webhooks", "{\"url\":\"https://hooks.example/tally\"}").then().statusCode(201)
                .extract().path("secret");
        SECRETS.add(secret);
        return new Tenant(t.getString("tenantId"), admin, ingestKey);
    }

    private static void awaitAccepted(Tenant t, String event) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Response r = post(ingest.url(), t.ingestKey(), "/v1/events", "{\"events\":[" + event + "]}");
            if (r.statusCode() == 200 && r.jsonPath().getInt("accepted") + r.jsonPath().getInt("duplicates") == 1) {
                return;
            }
            assertThat(System.nanoTime()).as("ingest learned the tenant: " + r.asString()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** What a request may write, counted for tenant A: accepted event ids, audit entries, customers, credit notes. */
    private static Map<String, Long> counts() throws Exception {
        var db = LocalStackResource.addresses();
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            for (String table : List.of("ingest.event_key", "ingest.quarantine", "invoicing.audit_log", "invoicing.customer",
                    "invoicing.credit_note", "invoicing.webhook_endpoint", "invoicing.tax_rate")) {
                try (PreparedStatement ps = c.prepareStatement("select count(*) from " + table + " where tenant_id = ?")) {
                    ps.setString(1, a.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.put(table, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /** A raw request (bytes as given, any header), so that broken bodies reach the server unaltered. */
    private static HttpResponse<String> raw(String base, String method, String path, String key, String contentType, byte[] body,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            r.header("Authorization", key);
        }
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        headers.forEach(r::header);
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The refusal every hostile input must get: a 4xx, as problem+json, naming no Java class or stack frame. */
    private static void assertRefused(String what, HttpResponse<String> r) {
        assertThat(r.statusCode()).as(what + " → " + r.body()).isBetween(400, 499);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what + " content type").contains("application/problem+json");
        assertThat(r.body()).as(what + " body").doesNotContain("Exception").doesNotContain("at dev.tally").doesNotContain("at java.")
                .doesNotContain("org.postgresql");
    }

    private static Map<String, byte[]> hostileBodies() throws Exception {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("truncated JSON", "{\"events\":[{\"id\":\"a\"".getBytes(StandardCharsets.UTF_8));
        bodies.put("not JSON", "hello".getBytes(StandardCharsets.UTF_8));
        bodies.put("a bare number", "1e400".getBytes(StandardCharsets.UTF_8));
        bodies.put("a bare string", "\"x\"".getBytes(StandardCharsets.UTF_8));
        bodies.put("nested arrays 100,000 deep", ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        bodies.put("nested objects 20,000 deep", ("{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
        bodies.put("a 1.5 MB string", ("{\"name\":\"" + "x".repeat(1_500_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        bodies.put("invalid UTF-8", new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '"', '}'});
        bodies.put("a lone surrogate", "{\"name\":\"\\ud800\",\"externalId\":\"\\udfff\"}".getBytes(StandardCharsets.UTF_8));
        bodies.put("duplicate keys", "{\"name\":\"a\",\"name\":\"b\"}".getBytes(StandardCharsets.UTF_8));
        bodies.put("NaN", "{\"amount\":NaN}".getBytes(StandardCharsets.UTF_8));
        bodies.put("Infinity", "{\"amount\":Infinity}".getBytes(StandardCharsets.UTF_8));
        bodies.put("1e400", "{\"amount\":1e400,\"ratePercent\":1e400,\"percent\":1e400}".getBytes(StandardCharsets.UTF_8));
        bodies.put("-1e400", "{\"amount\":-1e400}".getBytes(StandardCharsets.UTF_8));
        bodies.put("NUL in text", "{\"name\":\"a\\u0000b\",\"reason\":\"\\u0000\"}".getBytes(StandardCharsets.UTF_8));
        bodies.put("SQL in text", "{\"name\":\"'; drop table invoicing.invoice; --\",\"externalId\":\"x' or '1'='1\"}".getBytes(StandardCharsets.UTF_8));
        bodies.put("an unknown field only", "{\"isAdmin\":true}".getBytes(StandardCharsets.UTF_8));
        bodies.put("a UTF-8 BOM before an unknown field", ("\uFEFF{\"isAdmin\":true}").getBytes(StandardCharsets.UTF_8));
        bodies.put("wrong types", "{\"name\":[1,2],\"amount\":{\"x\":1},\"inclusive\":\"maybe\",\"lines\":\"all\"}".getBytes(StandardCharsets.UTF_8));
        bodies.put("control characters", "{\"name\":\"\u0001\u0002\"}".getBytes(StandardCharsets.UTF_8));
        return bodies;
    }

    @Test
    @Order(1)
    void hostileBodiesGetAProblemAndWriteNothing() throws Exception {
        String adminA = "Bearer " + a.adminKey();
        String ingestA = "Bearer " + a.ingestKey();
        String[][] endpoints = {
            {ingest.url(), "POST", "/v1/events", ingestA}, {ingest.url(), "POST", "/v1/events/retract", ingestA},
            {ingest.url(), "POST", "/v1/events/amend", ingestA},
            {invoicing.url(), "POST", "/v1/customers", adminA}, {invoicing.url(), "PATCH", "/v1/customers/acme", adminA},
            {invoicing.url(), "POST", "/v1/meters", adminA}, {invoicing.url(), "POST", "/v1/plans", adminA},
            {invoicing.url(), "POST", "/v1/subscriptions", adminA}, {invoicing.url(), "PUT", "/v1/tax-rates/DE", adminA},
            {invoicing.url(), "POST", "/v1/webhooks", adminA}, {invoicing.url(), "POST", "/v1/customers/acme/credits", adminA},
            {invoicing.url(), "PUT", "/v1/customers/acme/limits/bandwidth", adminA}, {invoicing.url(), "PUT", "/v1/customers/acme/budget", adminA},
            {invoicing.url(), "POST", "/v1/api-keys", adminA}, {invoicing.url(), "PUT", "/v1/payment-provider", adminA},
            {invoicing.url(), "POST", "/v1/invoices/close", adminA}, {invoicing.url(), "POST", "/v1/customers/import", adminA},
        };
        Map<String, Long> before = counts();
        int sent = 0;
        for (String[] e : endpoints) {
            for (Map.Entry<String, byte[]> body : hostileBodies().entrySet()) {
                assertRefused(e[1] + " " + e[2] + " with " + body.getKey(), raw(e[0], e[1], e[2], e[3], "application/json", body.getValue(), Map.of()));
                sent++;
            }
        }
        assertThat(sent).isGreaterThanOrEqualTo(300);
        assertThat(counts()).as("nothing written").isEqualTo(before);
        for (ServiceProcess s : new ServiceProcess[] {ingest, rating, invoicing}) {
            assertThat(raw(s.url(), "GET", "/q/health/ready", null, null, null, Map.of()).statusCode()).as(s.url() + " healthy").isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void hostileEventsAreRefusedOneByOneAndTheirNeighboursCount() throws Exception {
        String now = Instant.now().minusSeconds(5).toString();
        List<String> hostile = List.of(
                "{\"id\":\"h-1\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"0001-01-01T00:00:00Z\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-2\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"9999-12-31T23:59:59Z\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-3\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1e400}}",
                "{\"id\":\"h-4\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":\"NaN\"}}",
                "{\"id\":\"h-5\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1e-19}}",
                "{\"id\":\"h-6\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":{\"nested\":1}}}",
                "{\"id\":\"" + "x".repeat(200) + "\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-8\",\"type\":\"by tes; drop\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-9\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"yesterday\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1}}",
                "{\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-12\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":\"12abc\"}}",
                "{\"id\":\"h-13\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"2026-02-30T00:00:00Z\",\"properties\":{\"bytes\":1}}",
                "{\"id\":\"h-14\\u0000\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"" + now + "\",\"properties\":{\"bytes\":1}}");
        // all hostile: 400 problem+json, nothing stored
        Map<String, Long> before = counts();
        HttpResponse<String> all = raw(ingest.url(), "POST", "/v1/events", "Bearer " + a.ingestKey(), "application/json",
                ("{\"events\":[" + String.join(",", hostile) + "]}").getBytes(StandardCharsets.UTF_8), Map.of());
        assertRefused("a batch of only hostile events", all);
        // elements that are not events at all: refused, nothing stored
        for (String notAnEvent : List.of("[1,2,3]", "null", "\"an event\"", "{}", "42")) {
            assertRefused("an element " + notAnEvent, raw(ingest.url(), "POST", "/v1/events", "Bearer " + a.ingestKey(), "application/json",
                    ("{\"events\":[" + notAnEvent + "]}").getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        assertThat(counts()).isEqualTo(before);
        // with two good neighbours: those two are accepted, each hostile one rejected with its own code
        String good1 = event("good-1", 1000);
        String good2 = event("good-2", 234);
        List<String> mixed = new ArrayList<>(List.of(good1));
        mixed.addAll(hostile);
        mixed.add(good2);
        JsonPath r = post(ingest.url(), a.ingestKey(), "/v1/events", "{\"events\":[" + String.join(",", mixed) + "]}").then().statusCode(200)
                .extract().jsonPath();
        assertThat(r.getInt("accepted")).isEqualTo(2);
        assertThat(r.getInt("rejected")).isEqualTo(hostile.size());
        assertThat(r.getList("results.outcome")).startsWith("accepted").endsWith("accepted");
        assertThat(r.<String>getList("results.code").subList(1, hostile.size() + 1)).doesNotContainNull();
        // the neighbours reach the draft, exactly: 1 (warm-up) + 1000 + 234 bytes
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonPath draft = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + a.adminKey())
                    .get("/v1/customers/acme/invoices/draft").then().statusCode(200).extract().jsonPath();
            if (draft.getLong("lines[0].eventCount") >= 3) {
                assertThat(draft.getLong("lines[0].eventCount")).isEqualTo(3);
                assertThat(draft.getString("lines[0].quantity")).isEqualTo("1235");
                break;
            }
            assertThat(System.nanoTime()).as("neighbours rated").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    @Order(3)
    void hostileHeadersAndEncodingsGetAProblem() throws Exception {
        byte[] one = ("{\"events\":[" + event("hdr-1", 1) + "]}").getBytes(StandardCharsets.UTF_8);
        Map<String, Long> before = counts();
        String ev = "/v1/events";
        assertRefused("no Authorization", raw(ingest.url(), "POST", ev, null, "application/json", one, Map.of()));
        assertRefused("Basic instead of Bearer", raw(ingest.url(), "POST", ev, "Basic " + a.ingestKey(), "application/json", one, Map.of()));
        assertRefused("a forged key", raw(ingest.url(), "POST", ev, "Bearer tly_forged_" + "0".repeat(40), "application/json", one, Map.of()));
        assertRefused("a key with a NUL-like tail", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey() + "x", "application/json", one, Map.of()));
        assertRefused("an empty bearer", raw(ingest.url(), "POST", ev, "Bearer ", "application/json", one, Map.of()));
        assertRefused("the operator token at ingest", raw(ingest.url(), "POST", ev, "Bearer " + OPERATOR, "application/json", one, Map.of()));
        assertRefused("text/plain", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey(), "text/plain", one, Map.of()));
        assertRefused("application/xml", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey(), "application/xml", one, Map.of()));
        assertRefused("a multipart body", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey(), "multipart/form-data; boundary=x", one,
                Map.of()));
        assertRefused("invalid gzip", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey(), "application/json", one,
                Map.of("Content-Encoding", "gzip")));
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros); // 64 MiB of zeros in ~64 KiB
            }
        }
        assertRefused("a gzip bomb", raw(ingest.url(), "POST", ev, "Bearer " + a.ingestKey(), "application/json", bomb.toByteArray(),
                Map.of("Content-Encoding", "gzip")));
        assertRefused("an ingest key on the catalog", raw(invoicing.url(), "POST", "/v1/customers", "Bearer " + a.ingestKey(), "application/json",
                "{\"externalId\":\"x\",\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
        assertRefused("a tenant key on the operator API", raw(invoicing.url(), "POST", "/v1/admin/tenants", "Bearer " + a.adminKey(),
                "application/json", "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
        assertRefused("an unsigned Stripe webhook", raw(invoicing.url(), "POST", "/v1/payment-webhooks/stripe/" + a.id(), null,
                "application/json", "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
        assertRefused("a forged Stripe signature", raw(invoicing.url(), "POST", "/v1/payment-webhooks/stripe/" + a.id(), null,
                "application/json", "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("Stripe-Signature", "t=" + Instant.now().getEpochSecond() + ",v1=" + "0".repeat(64))));
        assertRefused("a usage range from year 1 to 9999", raw(rating.url(), "GET", "/v1/customers/acme/usage?from=0001-01-01&to=9999-12-31",
                "Bearer " + a.adminKey(), null, null, Map.of()));
        assertRefused("a usage range that is not a date", raw(rating.url(), "GET", "/v1/customers/acme/usage?from=yesterday",
                "Bearer " + a.adminKey(), null, null, Map.of()));
        assertRefused("SQL in a path", raw(invoicing.url(), "GET", "/v1/invoices/x'%20or%20'1'='1", "Bearer " + a.adminKey(), null, null,
                Map.of()));
        assertThat(counts()).isEqualTo(before);
    }

    /** Every read and write of tenant A's things with tenant B's key: 404 (or 403), and A's data unchanged. */
    @Test
    @Order(4)
    void anotherTenantsIdsAreRefused() throws Exception {
        // A has an event, customers, and a finalized invoice (a closed period with a fixed fee) with a credit note, and a
        // reconciliation report: B is tried with A's real ids, not made-up ones
        post(invoicing.url(), a.adminKey(), "/v1/plans?publish=true", """
                {"key":"fee","name":"Fee","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.001"}}],
                 "terms":{"fixedFees":[{"key":"base","description":"Base fee","amount":"10.00"}]}}""").then().statusCode(201);
        Instant lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        post(invoicing.url(), a.adminKey(), "/v1/customers", "{\"externalId\":\"ended\",\"name\":\"Ended\",\"plan\":\"fee\",\"subscriptionStart\":\"%s\"}"
                .formatted(lastMonth)).then().statusCode(201);
        JsonPath invoice = SystemRequests.closedInvoice(invoicing.url(), a.adminKey(), "ended", null);
        String invoiceId = invoice.getString("invoiceId");
        assertThat(invoice.getString("total")).isEqualTo("10.00");
        String creditNoteId = post(invoicing.url(), a.adminKey(), "/v1/invoices/" + invoiceId + "/credit-notes",
                "{\"reason\":\"isolation test\",\"lines\":[{\"line\":\"fixed:fee.v1:base\",\"amount\":\"1.00\"}]}").then().statusCode(201)
                .extract().path("creditNoteId");
        String reconciliationId = post(invoicing.url(), a.adminKey(), "/v1/reconciliations", "{}").then().statusCode(201).extract()
                .path("reconciliationId");
        String aCustomerId = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + a.adminKey()).get("/v1/customers/acme")
                .then().statusCode(200).extract().path("customerId");
        Map<String, Long> before = counts();
        String bKey = "Bearer " + b.adminKey();
        String[][] reads = {
            {invoicing.url(), "/v1/customers/" + aCustomerId}, {invoicing.url(), "/v1/customers/ended"},
            {invoicing.url(), "/v1/customers/" + aCustomerId + "/credits"}, {invoicing.url(), "/v1/invoices/" + invoiceId},
            {invoicing.url(), "/v1/invoices/" + invoiceId + "/explain"}, {invoicing.url(), "/v1/invoices/" + invoiceId + "/events?meter=bandwidth"},
            {invoicing.url(), "/v1/invoices/" + invoiceId + "/document.html"}, {invoicing.url(), "/v1/invoices/" + invoiceId + "/document.pdf"},
            {invoicing.url(), "/v1/invoices/" + invoiceId + "/credit-notes"}, {invoicing.url(), "/v1/invoices?customer=ended"},
            {invoicing.url(), "/v1/credit-notes/" + creditNoteId}, {invoicing.url(), "/v1/refunds/rf_" + "0".repeat(32)},
            {invoicing.url(), "/v1/reconciliations/" + reconciliationId}, {invoicing.url(), "/v1/subscriptions?customer=ended"},
            {rating.url(), "/v1/customers/" + aCustomerId + "/usage"}, {rating.url(), "/v1/customers/" + aCustomerId + "/spend"},
            {ingest.url(), "/v1/events/good-1"}, {ingest.url(), "/v1/events/warm-up"},
        };
        for (String[] r : reads) {
            HttpResponse<String> res = raw(r[0], "GET", r[1], r[0].equals(ingest.url()) ? "Bearer " + b.ingestKey() : bKey, null, null, Map.of());
            assertThat(res.statusCode()).as("B reads " + r[1]).isIn(403, 404);
            // the answer may repeat what B sent, nothing of A's
            assertThat(res.body()).as("B reads " + r[1]).doesNotContain(a.id()).doesNotContain("Acme").doesNotContain("Ended")
                    .doesNotContain(invoice.getString("number"));
        }
        // B's own lists show nothing of A's
        HttpResponse<String> bInvoices = raw(invoicing.url(), "GET", "/v1/invoices", bKey, null, null, Map.of());
        assertThat(bInvoices.statusCode()).isEqualTo(200);
        assertThat(bInvoices.body()).doesNotContain(invoiceId).doesNotContain(invoice.getString("number"));
        HttpResponse<String> bNotes = raw(invoicing.url(), "GET", "/v1/credit-notes", bKey, null, null, Map.of());
        assertThat(bNotes.statusCode()).isEqualTo(200);
        assertThat(bNotes.body()).doesNotContain(creditNoteId);
        String[][] writes = {
            {invoicing.url(), "PATCH", "/v1/customers/" + aCustomerId, "{\"name\":\"taken\"}"},
            {invoicing.url(), "POST", "/v1/customers/" + aCustomerId + "/credits", "{\"amount\":\"1\",\"reason\":\"x\"}"},
            {invoicing.url(), "POST", "/v1/invoices/close", "{\"customer\":\"" + aCustomerId + "\"}"},
            {invoicing.url(), "POST", "/v1/invoices/" + invoiceId + "/void", "{\"reason\":\"x\"}"},
            {invoicing.url(), "POST", "/v1/invoices/" + invoiceId + "/reissue", "{}"},
            {invoicing.url(), "POST", "/v1/invoices/" + invoiceId + "/payments", "{\"amount\":\"9.00\",\"reference\":\"x\"}"},
            {invoicing.url(), "POST", "/v1/invoices/" + invoiceId + "/credit-notes", "{\"reason\":\"x\"}"},
            {invoicing.url(), "POST", "/v1/invoices/" + invoiceId + "/credit-notes/sla", "{\"incident\":\"x\",\"percent\":\"10\"}"},
        };
        for (String[] w : writes) {
            HttpResponse<String> res = raw(w[0], w[1], w[2], w[0].equals(ingest.url()) ? "Bearer " + b.ingestKey() : bKey, "application/json",
                    w[3].getBytes(StandardCharsets.UTF_8), Map.of());
            // valid bodies: refused because the thing is not B's (close names the customer in its body: 400 unknown customer)
            assertThat(res.statusCode()).as("B writes " + w[2] + ": " + res.body()).isIn(403, 404, w[2].endsWith("/close") ? 400 : 404);
            assertThat(res.body()).as("B writes " + w[2]).doesNotContain("Ended").doesNotContain(invoice.getString("number"));
        }
        // A's invoice as it was: finalized, 10.00, one credit note
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + a.adminKey()).get("/v1/invoices/" + invoiceId).then().statusCode(200)
                .body("total", Matchers.equalTo("10.00")).body("status", Matchers.equalTo(invoice.getString("status")));
        // ingest: B's retraction of A's event id finds nothing (ids are per tenant), and A's event still stands
        post(ingest.url(), b.ingestKey(), "/v1/events/retract", "{\"ids\":[\"warm-up\"],\"reason\":\"x\"}").then().statusCode(200)
                .body("results[0].outcome", Matchers.equalTo("not_found"));
        given().baseUri(ingest.url()).header("Authorization", "Bearer " + a.ingestKey()).get("/v1/events/warm-up").then().statusCode(200)
                .body("status", Matchers.not(Matchers.equalTo("retracted")));
        assertThat(counts()).as("A unchanged").isEqualTo(before);
    }

    /** A key that sends faster than its limit gets 429 problem+json with Retry-After, and may send again after it. */
    @Test
    @Order(5)
    void aKeyOverItsRateLimitGets429WithRetryAfter() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            answers.add(pool.submit(() -> raw(invoicing.url(), "GET", "/v1/customers/acme", "Bearer " + b.adminKey(), null, null, Map.of())));
        }
        int ok = 0;
        int limited = 0;
        long retryAfter = 0;
        for (var f : answers) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertRefused("over the limit", r);
                assertThat(r.statusCode()).isEqualTo(429);
                retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
                limited++;
            }
        }
        pool.shutdown();
        assertThat(limited).as("refused over the limit (" + ok + " passed)").isPositive();
        assertThat(ok).as("the burst passed").isGreaterThanOrEqualTo(450);
        assertThat(retryAfter).isBetween(1L, 5L);
        Thread.sleep(retryAfter * 1000 + 200);
        assertThat(raw(invoicing.url(), "GET", "/v1/customers/acme", "Bearer " + b.adminKey(), null, null, Map.of()).statusCode()).isEqualTo(200);
        // another key is not held back by B's
        assertThat(raw(invoicing.url(), "GET", "/v1/customers/acme", "Bearer " + a.adminKey(), null, null, Map.of()).statusCode()).isEqualTo(200);
    }

    /**
     * Slow and stalled bodies: a client trickling a valid body is served (slow is not wrong); 30 connections of one key
     * that promise a body and stop sending hold at most that key's in-flight limit (16 here,
     * {@code TALLY_INGEST_MAX_IN_FLIGHT}; 64 by default) — the 14 beyond it are answered 429 at once, before their body
     * is read — and nothing else back: another key's event is accepted meanwhile. Each held one is abandoned and
     * closed by ingest after its read timeout (3 s here, {@code TALLY_HTTP_READ_TIMEOUT}; 10 s by default), freeing
     * its worker thread and its place, with nothing written of the events they began and no error in the log. The
     * same for a stalled customer body at invoicing, whose idle timeout is 15 minutes.
     */
    @Test
    @Order(6)
    void slowAndStalledBodiesHoldNothingBackAndWriteNothing() throws Exception {
        Path ingestLog = Path.of("target", "system-ingest.log");
        long logMark = Files.size(ingestLog);
        URI base = URI.create(ingest.url());
        awaitAccepted(b, event("warm-up-b", 1));
        String slowBody = "{\"events\":[" + event("slow-1", 5) + "," + event("slow-2", 6) + "," + event("slow-3", 7) + "]}";
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                stalled.add(stall(base, "/v1/events", a.ingestKey(), "{\"events\":[" + event("stalled-" + i, 1) + ","));
            }
            // the 14 beyond the key's 16 in flight: answered 429 at once; the 16 are held until the read timeout
            List<Socket> refused = answeredAtOnce(stalled, 14);
            for (Socket s : refused) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 429")
                        .contains("Retry-After: 1").contains("too-many-in-flight");
            }
            post(ingest.url(), a.ingestKey(), "/v1/events", "{\"events\":[" + event("over-the-limit", 3) + "]}").then().statusCode(429)
                    .header("Retry-After", "1").contentType("application/problem+json");
            // meanwhile: another key's event goes through at once, and a slow client's body, trickled over 3 s, too
            long t0 = System.nanoTime();
            post(ingest.url(), b.ingestKey(), "/v1/events", "{\"events\":[" + event("beside-stalled", 3) + "]}").then().statusCode(200)
                    .body("accepted", Matchers.equalTo(1));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a neighbour waited").isLessThan(Duration.ofSeconds(3));
            try (Socket slow = new Socket(base.getHost(), base.getPort())) {
                slow.setSoTimeout(30_000);
                byte[] bytes = slowBody.getBytes(StandardCharsets.UTF_8);
                var out = slow.getOutputStream();
                out.write(requestHead(base, "/v1/events", b.ingestKey(), bytes.length).getBytes(StandardCharsets.UTF_8));
                for (int from = 0; from < bytes.length; from += 20) {
                    out.write(bytes, from, Math.min(20, bytes.length - from));
                    out.flush();
                    Thread.sleep(3000L * 20 / bytes.length);
                }
                String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).as("the slow body's answer").startsWith("HTTP/1.1 200").contains("\"accepted\":3");
            }
            // the stalled ones: cut by the server after the read timeout, never answered 2xx or 5xx
            long cutBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (Socket s : stalled) {
                if (!refused.contains(s)) {
                    assertCut(s, "a stalled body");
                }
            }
            assertThat(System.nanoTime()).as("stalled connections cut by the read timeout").isLessThan(cutBy);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        // every place came back: more writes in a row than the limit, all accepted
        for (int i = 0; i < 40; i++) {
            post(ingest.url(), a.ingestKey(), "/v1/events", "{\"events\":[" + event("after-stall-" + i, 1) + "]}").then().statusCode(200);
        }
        for (int i = 0; i < 30; i++) {
            given().baseUri(ingest.url()).header("Authorization", "Bearer " + a.ingestKey()).get("/v1/events/stalled-" + i).then()
                    .statusCode(404);
        }
        given().baseUri(ingest.url()).header("Authorization", "Bearer " + a.ingestKey()).get("/v1/events/over-the-limit").then().statusCode(404);
        given().baseUri(ingest.url()).header("Authorization", "Bearer " + b.ingestKey()).get("/v1/events/slow-2").then().statusCode(200);
        // an abandoned body is not a server failure: no error, no stack trace in the log
        assertThat(logSince(ingestLog, logMark)).as("ingest's log while bodies stalled").doesNotContain("unexpected failure")
                .doesNotContain("\tat ").contains("abandoned before its body arrived whole");
        // invoicing too (its idle timeout is 15 minutes; the read timeout frees a stalled body all the same)
        Map<String, Long> before = counts();
        Path invoicingLog = Path.of("target", "system-invoicing.log");
        long invoicingMark = Files.size(invoicingLog);
        URI inv = URI.create(invoicing.url());
        String customer = "{\"externalId\":\"stalled\",\"name\":\"Stalled\",\"currency\":\"USD\"";
        try (Socket s = stall(inv, "/v1/customers", a.adminKey(), customer)) {
            long t0 = System.nanoTime();
            given().baseUri(invoicing.url()).header("Authorization", "Bearer " + a.adminKey()).get("/v1/customers/acme").then().statusCode(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a neighbour waited").isLessThan(Duration.ofSeconds(3));
            assertCut(s, "the stalled customer body");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("cut by the read timeout").isLessThan(Duration.ofSeconds(20));
        }
        assertThat(counts()).isEqualTo(before);
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + a.adminKey()).get("/v1/customers/stalled").then().statusCode(404);
        assertThat(logSince(invoicingLog, invoicingMark)).as("invoicing's log while a body stalled").doesNotContain("unexpected failure")
                .contains("abandoned before its body arrived whole");
    }

    /** The {@code n} of {@code sockets} that the server answered within 2.5 s (the others are still waiting then). */
    private static List<Socket> answeredAtOnce(List<Socket> sockets, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        List<Socket> answered = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            answered.clear();
            for (Socket s : sockets) {
                if (s.getInputStream().available() > 0) {
                    answered.add(s);
                }
            }
            if (answered.size() >= n) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(answered).as("answered at once").hasSize(n);
        return List.copyOf(answered);
    }

    /** A connection that sends {@code partial} of a body whose header promises 1,000 bytes more, then nothing. */
    private static Socket stall(URI base, String path, String key, String partial) throws IOException {
        Socket s = new Socket(base.getHost(), base.getPort());
        s.setSoTimeout(30_000);
        s.getOutputStream().write((requestHead(base, path, key, partial.length() + 1000) + partial).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return s;
    }

    /** The server closed the stalled connection (within the socket's 30 s), answering nothing or a 4xx — never 2xx or 5xx. */
    private static void assertCut(Socket s, String what) {
        String answer;
        try {
            answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(what + ": the connection was still open after 30 s", e);
        } catch (IOException e) {
            answer = ""; // reset: cut
        }
        assertThat(answer).as(what + "'s answer").satisfiesAnyOf(x -> assertThat(x).isEmpty(),
                x -> assertThat(x).matches("(?s)HTTP/1\\.1 4\\d\\d.*"));
    }

    /** What a service wrote to its log after {@code mark} bytes. */
    private static String logSince(Path log, long mark) throws IOException {
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(mark);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String requestHead(URI base, String path, String key, int contentLength) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\nConnection: close\r\n\r\n";
    }

    /** Last: no secret this run created or sent (keys, the operator token, webhook secrets, the secrets-at-rest key) is in any service's log. */
    @Test
    @Order(7)
    void noSecretIsInAnyLog() throws Exception {
        List<Path> logs;
        try (var files = Files.list(Path.of("target"))) {
            logs = files.filter(p -> p.getFileName().toString().startsWith("system-") && p.getFileName().toString().endsWith(".log")).toList();
        }
        assertThat(logs).isNotEmpty();
        assertThat(SECRETS).hasSizeGreaterThanOrEqualTo(7);
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            for (String secret : SECRETS) {
                assertThat(text).as(log + " holds a secret").doesNotContain(secret);
            }
        }
        // structured logs: every line rating wrote in this run is one JSON object with its level, logger and message
        List<String> lines = logSince(Path.of("target", "system-rating.log"), ratingLogMark).lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("rating's JSON log lines").hasSizeGreaterThanOrEqualTo(3);
        for (String line : lines) {
            assertThat(line).as("one JSON object per line").startsWith("{").endsWith("}");
            JsonPath entry = JsonPath.from(line);
            assertThat(entry.getString("level")).as(line).isNotEmpty();
            assertThat(entry.getString("loggerName")).as(line).isNotEmpty();
            assertThat(entry.getString("message")).as(line).isNotNull();
        }
        assertThat(lines).anyMatch(l -> l.contains("tally-rating") && l.contains("started in"));
    }
}
