package dev.tally.system;

import static dev.tally.system.SystemRequests.event;
import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.infra.local.LocalStack;
import dev.tally.testing.LocalStackResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three packaged services, as separate processes, on a real PostgreSQL and Kafka. Crashes are
 * real SIGKILLs. Every assertion is on exact totals of the draft invoice.
 */
class EndToEndIT {
    private static final String OPERATOR = "system-test-operator-" + UUID.randomUUID();
    private static ServiceProcess ingest; // the instance the tests send to
    private static ServiceProcess rating;
    private static ServiceProcess invoicing;
    private static ServiceProcess adminUi;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = serviceEnv();
        ingest = new ServiceProcess("ingest", env).start();
        rating = new ServiceProcess("rating", env).start();
        invoicing = new ServiceProcess("invoicing", env).start();
        adminUi = new ServiceProcess("admin-ui", ServiceProcess.consoleEnv(env, ingest, rating, invoicing)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] {ingest, rating, invoicing, adminUi}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    @Test
    void adminUsersSignInToTheAdminUiWithTheirOwnTokens() {
        var viewer = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"email\":\"viewer-" + UUID.randomUUID() + "@ops.example\",\"role\":\"viewer\"}").post("/v1/admin/users")
                .then().statusCode(201).extract().jsonPath();
        var gone = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"email\":\"gone-" + UUID.randomUUID() + "@ops.example\",\"role\":\"operator\"}").post("/v1/admin/users")
                .then().statusCode(201).extract().jsonPath();
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).delete("/v1/admin/users/" + gone.getString("userId"))
                .then().statusCode(200);

        given().baseUri(adminUi.url()).header("Authorization", "Bearer " + viewer.getString("token")).get("/api/health")
                .then().statusCode(200).body("services.name", Matchers.hasItems("ingest", "rating", "invoicing"));
        // as the HTTP Basic password too (what a browser sends)
        given().baseUri(adminUi.url()).auth().preemptive().basic("viewer", viewer.getString("token")).get("/").then().statusCode(200);
        given().baseUri(adminUi.url()).header("Authorization", "Bearer " + gone.getString("token")).get("/api/health")
                .then().statusCode(401).contentType("application/problem+json");
        given().baseUri(adminUi.url()).header("Authorization", "Bearer tad_000000000000_" + "0".repeat(64)).get("/api/health")
                .then().statusCode(401);
        given().baseUri(adminUi.url()).header("Authorization", "Bearer " + OPERATOR).get("/api/health").then().statusCode(200);
    }

    record Tenant(String adminKey, String ingestKey) {
    }

    private static Tenant tenantWithCustomer(String unitPrice) {
        String admin = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"System Test\"}").post("/v1/admin/tenants").then().statusCode(201).extract().path("apiKey.key");
        String ingestKey = post(invoicing.url(), admin, "/v1/api-keys", "{\"scope\":\"ingest\"}").then().statusCode(201).extract().path("key");
        post(invoicing.url(), admin, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .then().statusCode(201);
        post(invoicing.url(), admin, "/v1/plans?publish=true", """
                {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"%s"}}]}"""
                .formatted(unitPrice)).then().statusCode(201);
        post(invoicing.url(), admin, "/v1/customers", "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"p\",\"subscriptionStart\":\"%s\"}"
                .formatted(Instant.now().minusSeconds(86_400).truncatedTo(ChronoUnit.SECONDS))).then().statusCode(201);
        return new Tenant(admin, ingestKey);
    }

    /** Posts until ingest answers 200 (a crashed or not-yet-ready ingest is retried, as a client would). */
    private static JsonPath postUntilAnswered(Tenant t, String body) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                Response r = post(ingest.url(), t.ingestKey(), "/v1/events", body);
                if (r.statusCode() == 200) {
                    return r.jsonPath();
                }
            } catch (Exception e) {
                // connection refused or reset while ingest is down
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ingest never accepted the batch");
            }
            Thread.sleep(200);
        }
    }

    private static JsonPath awaitDraft(Tenant t, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + t.adminKey())
                    .get("/v1/customers/acme/invoices/draft").then().statusCode(200).extract().jsonPath();
            if (last.getLong("lines[0].eventCount") >= events) {
                Thread.sleep(1500); // anything counted twice would show up now
                return given().baseUri(invoicing.url()).header("Authorization", "Bearer " + t.adminKey())
                        .get("/v1/customers/acme/invoices/draft").then().statusCode(200).extract().jsonPath();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("draft never reached " + events + " events; last: " + (last == null ? null : last.prettify()));
    }

    @Test
    void anEventPostedTwiceReachesTheDraftInvoiceExactlyOnce() throws Exception {
        Tenant t = tenantWithCustomer("0.01");
        String body = "{\"events\":[" + event("only-once", 1234) + "]}";
        assertThat(postUntilAnswered(t, body).getInt("accepted")).isEqualTo(1);
        post(ingest.url(), t.ingestKey(), "/v1/events", body).then().statusCode(200)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(1));
        JsonPath draft = awaitDraft(t, 1);
        assertThat(draft.getLong("lines[0].eventCount")).isEqualTo(1);
        assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).isEqualByComparingTo("1234");
        assertThat(draft.getString("total")).isEqualTo("12.34");
    }

    @Test
    void aNewCustomersIpRangeAttributesTrafficAtIngestWithinSeconds() throws Exception {
        Tenant t = tenantWithCustomer("0.01");
        post(invoicing.url(), t.adminKey(), "/v1/customers",
                // the subscription starts a minute ago: the event below (5 s old) falls in its first period
                "{\"externalId\":\"tunnels\",\"name\":\"Tunnels\",\"plan\":\"p\",\"subscriptionStart\":\"%s\",\"aliases\":{\"cidrs\":[\"198.51.100.0/24\"]}}"
                        .formatted(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS)))
                .then().statusCode(201);
        long created = System.nanoTime();
        String body = "{\"events\":[{\"id\":\"by-ip\",\"type\":\"bytes\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":500,\"ip\":\"198.51.100.23\"}}]}"
                .formatted(Instant.now().minusSeconds(5));
        while (true) {
            Response r = post(ingest.url(), t.ingestKey(), "/v1/events", body);
            if (r.statusCode() == 200 && r.jsonPath().getInt("accepted") == 1) {
                break;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - created)).as("attribution reached ingest").isLessThan(Duration.ofSeconds(10));
            Thread.sleep(100);
        }
        long millis = Duration.ofNanos(System.nanoTime() - created).toMillis();
        System.out.println("catalog change → ingest attribution: " + millis + " ms");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonPath draft = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + t.adminKey())
                    .get("/v1/customers/tunnels/invoices/draft").then().statusCode(200).extract().jsonPath();
            if (draft.getLong("lines[0].eventCount") == 1) {
                assertThat(draft.getString("total")).isEqualTo("5.00");
                break;
            }
            assertThat(System.nanoTime()).as("attributed event invoiced").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /**
     * Read-your-writes (issue 21), as every signup flow does it: create a customer, send its first event at once — 200
     * times in a row, none quarantined; create a key and use it at once; revoke it and it is refused within the bound.
     */
    @Test
    void aCustomerCreatedAndUsedAtOnceIsNeverQuarantinedAndARevokedKeyIsRefusedWithinTwoSeconds() throws Exception {
        Tenant t = tenantWithCustomer("0.01");
        int rejected = 0;
        for (int i = 0; i < 200; i++) {
            post(invoicing.url(), t.adminKey(), "/v1/customers", "{\"externalId\":\"signup-" + i + "\",\"name\":\"S\",\"currency\":\"USD\"}")
                    .then().statusCode(201);
            rejected += post(ingest.url(), t.ingestKey(), "/v1/events", "[{\"id\":\"signup-" + i + "\",\"type\":\"bytes\",\"customer\":\"signup-"
                    + i + "\",\"properties\":{\"bytes\":1}}]").then().statusCode(200).extract().jsonPath().getInt("rejected");
        }
        assertThat(rejected).as("first events quarantined").isZero();
        JsonPath key = post(invoicing.url(), t.adminKey(), "/v1/api-keys", "{\"scope\":\"ingest\"}").then().statusCode(201).extract().jsonPath();
        post(ingest.url(), key.getString("key"), "/v1/events", "[" + event("fresh-key", 1) + "]").then().statusCode(200);
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + t.adminKey()).delete("/v1/api-keys/" + key.getString("keyId"))
                .then().statusCode(200);
        long revoked = System.nanoTime();
        while (post(ingest.url(), key.getString("key"), "/v1/events", "[" + event("after-revoke", 1) + "]").statusCode() != 401) {
            assertThat(Duration.ofNanos(System.nanoTime() - revoked)).as("revoked key refused").isLessThan(Duration.ofSeconds(2));
            Thread.sleep(20);
        }
        System.out.println("key revoked at invoicing → refused at ingest: " + Duration.ofNanos(System.nanoTime() - revoked).toMillis() + " ms");
    }

    /**
     * An upgrade takes effect a few seconds from now (issue 19): ingest stamps the events after it, rating keeps their
     * part apart, and the draft prices the part before the upgrade with the old plan and the part after it with the new
     * one — the same figure as rating's spend API.
     */
    @Test
    void anUpgradeMidPeriodPricesTheUsageBeforeAndAfterItByEachPlan() throws Exception {
        Tenant t = tenantWithCustomer("0.01");
        post(invoicing.url(), t.adminKey(), "/v1/plans?publish=true", """
                {"key":"p2","name":"P2","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.001"}}]}""")
                .then().statusCode(201);
        String sub = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + t.adminKey()).get("/v1/subscriptions?customer=acme")
                .then().statusCode(200).extract().path("[0].subscriptionId");
        Instant upgrade = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        post(invoicing.url(), t.adminKey(), "/v1/subscriptions/" + sub + "/changes", "{\"plan\":\"p2\",\"effectiveAt\":\"" + upgrade + "\"}")
                .then().statusCode(200);
        postUntilAnswered(t, "{\"events\":[" + event("before", 1000) + "]}");
        while (Instant.now().isBefore(upgrade.plusSeconds(2))) {
            Thread.sleep(100);
        }
        String after = "{\"events\":[{\"id\":\"after\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":3000}}]}"
                .formatted(upgrade.plusSeconds(1));
        assertThat(postUntilAnswered(t, after).getInt("accepted")).isEqualTo(1);
        JsonPath draft = awaitDraft(t, 2);
        // 1,000 bytes at 0.01 = 10.00 before the upgrade; 3,000 at 0.001 = 3.00 after it (not 4,000 at 0.001 = 4.00)
        assertThat(draft.getString("lines[0].amount")).isEqualTo("13.00");
        assertThat(draft.getString("plan")).isEqualTo("p2");
        assertThat(draft.getList("lines[0].explanation", String.class)).anyMatch(l -> l.endsWith("on p v1: 1000 (1 events) = USD 10"))
                .anyMatch(l -> l.startsWith(upgrade + " to ") && l.endsWith("on p2 v1: 3000 (1 events) = USD 3"));
        given().baseUri(rating.url()).header("Authorization", "Bearer " + t.adminKey()).get("/v1/customers/acme/spend").then().statusCode(200)
                .body("total", equalTo("13.00"));
    }

    @Test
    void killingIngestAndRatingMidStreamNeitherLosesNorDoublesAnEvent() throws Exception {
        Tenant t = tenantWithCustomer("0.000001");
        int batches = 30;
        int perBatch = 200;
        Stream stream = stream("ev-", 1, batches, perBatch);
        long expectedBytes = stream.bytes();
        AtomicInteger sent = new AtomicInteger();
        Thread sender = send(t, stream, sent, 0);
        awaitSent(sent, 8);
        rating.kill();
        awaitSent(sent, 12);
        rating.start();
        ingest.kill(); // requests in flight fail; the sender retries them, dedup makes that safe
        ingest.start();
        awaitSent(sent, 20);
        rating.kill();
        rating.start();
        sender.join(Duration.ofSeconds(180));
        assertThat(sent.get()).isEqualTo(batches);

        JsonPath draft = awaitDraft(t, (long) batches * perBatch);
        assertThat(draft.getLong("lines[0].eventCount")).isEqualTo((long) batches * perBatch);
        assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).isEqualByComparingTo(BigDecimal.valueOf(expectedBytes));
        // Σ bytes × 0.000001, rounded once (HALF_EVEN)
        BigDecimal expectedTotal = BigDecimal.valueOf(expectedBytes).multiply(new BigDecimal("0.000001"))
                .setScale(2, RoundingMode.HALF_EVEN);
        assertThat(new BigDecimal(draft.getString("total"))).isEqualByComparingTo(expectedTotal);
        // an independent recount from a replay of tally.events.accepted agrees with rating and with the invoice: zero drift
        JsonPath reconciled = post(invoicing.url(), t.adminKey(), "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
        assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
        assertThat(reconciled.getInt("pendingAdjustments")).as("invoices differing from agreeing usage").isZero();
        assertThat(reconciled.getInt("keysCompared")).isEqualTo(1);
        assertThat(reconciled.getLong("recordsRead")).isGreaterThanOrEqualTo((long) batches * perBatch);
    }

    /**
     * The infrastructure fails under a messy stream (a fifth of the events are repeats of earlier ids, event times
     * out of order): the Kafka broker is SIGKILLed and restarted, then PostgreSQL is shut down and restarted, while
     * the sender retries what got no 200. Every unique event is counted once, the draft is exact, and an independent
     * recount from the accepted events agrees (zero drift).
     */
    @Test
    void aKafkaCrashAndAPostgresRestartMidStreamLoseAndDoubleNothing() throws Exception {
        Tenant t = tenantWithCustomer("0.000001");
        Stream stream = messyStream("fx-", 30, 200, 42);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = send(t, stream, sent, 30);
        awaitSent(sent, 8);
        LocalStackResource.control().restartKafka(true, Duration.ofSeconds(3));
        awaitSent(sent, 16);
        LocalStackResource.control().restartPostgres(Duration.ofSeconds(3));
        sender.join(Duration.ofSeconds(300));
        assertThat(sent.get()).isEqualTo(30);

        JsonPath draft = awaitDraft(t, stream.events());
        assertThat(draft.getLong("lines[0].eventCount")).isEqualTo(stream.events());
        assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).isEqualByComparingTo(BigDecimal.valueOf(stream.bytes()));
        JsonPath reconciled = post(invoicing.url(), t.adminKey(), "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
        assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
        assertThat(reconciled.getInt("pendingAdjustments")).as("invoices differing from agreeing usage").isZero();
        assertThat(reconciled.getLong("recordsRead")).isGreaterThanOrEqualTo(stream.events());
    }

    /**
     * invoicing SIGKILLed while it closes a period for 1,500 customers (200 periods per transaction), restarted, the
     * close run again and PostgreSQL restarted while that close's batch transaction is open (it is rolled back; the
     * request goes on period by period), then the close run once more: every customer gets exactly one invoice, the numbers run 1..1,500 without a gap or a
     * repeat, and each total is its usage priced once.
     */
    @Test
    void killingInvoicingAndRestartingPostgresDuringAPeriodCloseLeavesEveryPeriodInvoicedOnceWithGaplessNumbers() throws Exception {
        int customers = 1500;
        JsonPath created = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"Close Crash\"}").post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        String admin = created.getString("apiKey.key");
        String tenantId = created.getString("tenantId");
        // the closer must not finalize these periods on its own before their usage is in (it would: their end plus the
        // default grace passed long ago, and usage arriving after a close is billed as adjustments on a later invoice)
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"closeGrace\":\"P31D\"}").patch("/v1/admin/tenants/" + tenantId).then().statusCode(200);
        String ingestKey = post(invoicing.url(), admin, "/v1/api-keys", "{\"scope\":\"ingest\"}").then().statusCode(201).extract().path("key");
        post(invoicing.url(), admin, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .then().statusCode(201);
        post(invoicing.url(), admin, "/v1/plans?publish=true", """
                {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.01"}}]}""")
                .then().statusCode(201);
        // last month's subscriptions, one event each a few days before the month ended (within the 35-day window)
        Instant monthStart = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        StringBuilder csv = new StringBuilder("externalId,name,plan,subscriptionStart\n");
        for (int i = 0; i < customers; i++) {
            csv.append("k").append(i).append(",K").append(i).append(",p,").append(lastMonth).append('\n');
        }
        given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).contentType("text/csv").body(csv.toString())
                .post("/v1/customers/import").then().statusCode(200).body("created", equalTo(customers));
        long expectedCents = 0;
        for (int from = 0; from < customers; from += 500) {
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = from; i < Math.min(customers, from + 500); i++) {
                body.append(i == from ? "" : ",").append("{\"id\":\"close-%d\",\"type\":\"bytes\",\"customer\":\"k%d\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":%d}}"
                        .formatted(i, i, monthStart.minus(Duration.ofDays(2)), 100 + i));
                expectedCents += 100 + i; // bytes × USD 0.01 = cents
            }
            JsonPath r = postUntilAnswered(new Tenant(admin, ingestKey), body.append("]}").toString());
            assertThat(r.getInt("accepted") + r.getInt("duplicates")).isEqualTo(Math.min(500, customers - from));
        }
        var db = LocalStackResource.addresses();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (count(db, "select count(*) from invoicing.usage_snapshot where tenant_id = ?", tenantId) < customers) {
            assertThat(System.nanoTime()).as("usage reached invoicing").isLessThan(deadline);
            Thread.sleep(250);
        }

        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                post(invoicing.url(), admin, "/v1/invoices/close-all", "{}");
            } catch (Exception e) {
                // the connection dies with the service
            }
        });
        long killDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(db, "select count(*) from invoicing.invoice where tenant_id = ?", tenantId) == 0) {
            assertThat(System.nanoTime()).as("the close began").isLessThan(killDeadline);
            Thread.sleep(20);
        }
        invoicing.kill(); // mid-close: some batches committed, one in flight
        closer.join(Duration.ofSeconds(30));
        long before = count(db, "select count(*) from invoicing.invoice where tenant_id = ?", tenantId);
        System.out.println("invoicing SIGKILLed with " + before + " of " + customers + " periods closed");
        assertThat(before).as("the kill landed mid-close").isBetween(1L, (long) customers - 1);
        invoicing.start();
        // the close again, and PostgreSQL restarted under it while its batch transaction is open: the test holds the
        // tenant's number counter row, so the batch waits inside its transaction until the database goes away
        long afterRestart;
        try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("select last_number from invoicing.invoice_counter where tenant_id = ? for update")) {
                ps.setString(1, tenantId);
                ps.executeQuery().close();
            }
            Thread again = Thread.ofPlatform().start(() -> {
                try {
                    post(invoicing.url(), admin, "/v1/invoices/close-all", "{}");
                } catch (Exception e) {
                    // the database went away under the request
                }
            });
            long lockDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(db, "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%invoice_counter%'"
                    + " and datname = current_database() and ? <> ''", tenantId) == 0) {
                assertThat(System.nanoTime()).as("the second close's batch reached the number counter").isLessThan(lockDeadline);
                Thread.sleep(20);
            }
            LocalStackResource.control().restartPostgres(Duration.ofSeconds(3));
            assertThat(again.join(Duration.ofSeconds(120))).as("the interrupted close request ended").isTrue();
        } catch (SQLException e) {
            // the holder's connection went down with the database
        }
        // the batch was rolled back; the request went on period by period (failing while the database was down, then
        // closing again once it was back), and what it could not close waits for the next close
        afterRestart = count(db, "select count(*) from invoicing.invoice where tenant_id = ?", tenantId);
        System.out.println("PostgreSQL restarted while a close batch was open; that close request ended with " + afterRestart + " of "
                + customers + " periods closed");
        long retryDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (post(invoicing.url(), admin, "/v1/invoices/close-all", "{}").statusCode() != 200) {
            assertThat(System.nanoTime()).as("invoicing closes again after the restart").isLessThan(retryDeadline);
            Thread.sleep(500);
        }

        assertThat(count(db, "select count(*) from invoicing.invoice where tenant_id = ?", tenantId)).as("one invoice per customer (" + before
                + " before the restart)").isEqualTo(customers);
        assertThat(count(db, "select count(distinct subscription_id) from invoicing.invoice where tenant_id = ?", tenantId)).isEqualTo(customers);
        assertThat(count(db, "select count(distinct number) from invoicing.invoice where tenant_id = ?", tenantId)).isEqualTo(customers);
        assertThat(count(db, "select max(substring(number from '(\\d+)$')::bigint) from invoicing.invoice where tenant_id = ?", tenantId))
                .as("numbers 1..N without a gap").isEqualTo(customers);
        assertThat(count(db, "select (sum(total) * 100)::bigint from invoicing.invoice where tenant_id = ?", tenantId)).isEqualTo(expectedCents);
        JsonPath reconciled = post(invoicing.url(), admin, "/v1/reconciliations", "{\"periodStart\":\"" + lastMonth + "\"}").then().statusCode(201)
                .extract().jsonPath();
        assertThat(reconciled.getInt("drifted")).isZero();
        assertThat(reconciled.getInt("pendingAdjustments")).as("invoices differing from agreeing usage").isZero();
        assertThat(reconciled.getInt("keysCompared")).isEqualTo(customers);
    }

    /**
     * The outbox relay killed on its own, between sending records to Kafka and marking their rows published: requests
     * are answered by one ingest instance that does not relay, and another instance — the relay, one outbox row per
     * transaction, waiting 1 s between Kafka's acknowledgment and each mark ({@code pause-before-mark}) — is SIGKILLed 0.4 s
     * after it marked a row, inside the next row's wait, until Kafka holds records it sent and never marked (a marker row
     * in flight does not count; the next relay sends them again). Rating drops the re-published records: the draft is exact,
     * reconciliation finds no drift.
     */
    @Test
    void killingTheOutboxRelayBetweenSendAndMarkRePublishesRecordsButCountsNothingTwice() throws Exception {
        Tenant t = tenantWithCustomer("0.000001");
        // ids unique to this run: module tests share this Kafka and have used short prefixes like rl- (rate limits)
        String prefix = "relay-kill-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Stream stream = stream(prefix, 11, 60, 200);
        var db = LocalStackResource.addresses();
        Map<String, String> frontEnv = serviceEnv();
        frontEnv.put("TALLY_OUTBOX_RELAY_ENABLED", "false");
        Map<String, String> relayEnv = serviceEnv();
        relayEnv.put("TALLY_OUTBOX_RELAY_BATCH_ROWS", "1");
        relayEnv.put("TALLY_OUTBOX_RELAY_PAUSE_BEFORE_MARK", "PT1S"); // each row waits 1 s between Kafka's ack and its mark
        ServiceProcess shared = ingest;
        ServiceProcess front = new ServiceProcess("ingest", frontEnv);
        ServiceProcess relay = new ServiceProcess("ingest", relayEnv);
        ServiceProcess last = new ServiceProcess("ingest", serviceEnv()); // relays what is left at full speed
        try {
            shared.stop();
            ingest = front.start();
            for (String body : stream.bodies()) {
                postUntilAnswered(t, body);
            }
            long backlog = count(db, "select count(*) from ingest.outbox where published_at is null and schema_name = ?", "AcceptedEventV1");
            assertThat(backlog).as("the stream waits in the outbox").isGreaterThanOrEqualTo(stream.bodies().size());
            int kills = 0;
            long republished = 0;
            while (republished == 0 && kills < 10) { // the first kill lands in the window, unless sending a row took over 0.4 s
                long before = count(db, "select count(*) from ingest.outbox where published_at is null and schema_name = ?", "AcceptedEventV1");
                assertThat(before).as("rows left to relay after " + kills + " kills").isPositive();
                relay.launch();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (count(db, "select count(*) from ingest.outbox where published_at is null and schema_name = ?", "AcceptedEventV1") >= before) {
                    assertThat(System.nanoTime()).as("the relay began").isLessThan(deadline);
                    Thread.sleep(2);
                }
                Thread.sleep(400); // it has marked a row, sent the next one (a few ms) and waits before marking it
                relay.kill();
                kills++;
                long[] inKafka = recordsInKafka(prefix);
                republished = inKafka[0] - inKafka[1];
            }
            System.out.println("outbox relay SIGKILLed " + kills + " times; Kafka holds " + republished + " records sent twice");
            assertThat(republished).as("a kill landed between send and mark").isPositive();
            last.start(); // the last relay sends what is left, the unmarked row again among it
            JsonPath draft = awaitDraft(t, stream.events());
            assertThat(draft.getLong("lines[0].eventCount")).isEqualTo(stream.events());
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).isEqualByComparingTo(BigDecimal.valueOf(stream.bytes()));
            long[] inKafka = recordsInKafka(prefix);
            assertThat(inKafka[1]).as("every event reached Kafka").isEqualTo(stream.events());
            assertThat(inKafka[0]).as("some of them twice").isGreaterThan(inKafka[1]);
            JsonPath reconciled = post(invoicing.url(), t.adminKey(), "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
            assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
            assertThat(reconciled.getInt("pendingAdjustments")).as("invoices differing from agreeing usage").isZero();
        } finally {
            relay.stop();
            last.stop();
            front.stop();
            ingest = shared.start();
        }
    }

    /** Records in {@code tally.events.accepted} whose event id starts with {@code prefix}: {all, distinct event ids}. */
    private static long[] recordsInKafka(String prefix) {
        long[] all = {0};
        Set<String> ids = new HashSet<>();
        Pattern id = Pattern.compile("\"eventId\":\"(" + Pattern.quote(prefix) + "[^\"]*)\"");
        forEachRecord(value -> {
            var m = id.matcher(value);
            if (m.find()) {
                all[0]++;
                ids.add(m.group(1));
            }
        });
        return new long[] {all[0], ids.size()};
    }

    /** Every record value of {@code tally.events.accepted}, from the beginning to the end as of now. */
    private static void forEachRecord(Consumer<String> each) {
        Properties p = new Properties();
        p.put("bootstrap.servers", LocalStackResource.addresses().kafkaBootstrap());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        try (var consumer = new KafkaConsumer<String, String>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor("tally.events.accepted").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read the topic").isLessThan(deadline);
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(r.value());
                }
            }
        }
    }

    private static long count(LocalStack.Addresses db, String sql, String arg) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Scaling out mid-stream: a second rating instance joins the consumer group (a rebalance), the
     * first is then SIGKILLed (the second takes every partition), then restarted (another rebalance).
     * Each rebalance hands partitions over at the offsets stored in Postgres: nothing lost, nothing doubled.
     */
    @Test
    void aSecondRatingInstanceJoiningAndOneLeavingMidStreamLosesAndDoublesNothing() throws Exception {
        Tenant t = tenantWithCustomer("0.000001");
        int batches = 30;
        int perBatch = 200;
        Stream stream = stream("rb-", 7, batches, perBatch);
        long expectedBytes = stream.bytes();
        AtomicInteger sent = new AtomicInteger();
        Thread sender = send(t, stream, sent, 50);
        ServiceProcess second = new ServiceProcess("rating", serviceEnv());
        try {
            awaitSent(sent, 6);
            second.start(); // joins the group: partitions move
            awaitSent(sent, 14);
            rating.kill(); // the first leaves without a goodbye: the second takes everything after the session timeout
            awaitSent(sent, 20);
            rating.start(); // and joins again
            sender.join(Duration.ofSeconds(180));
            assertThat(sent.get()).isEqualTo(batches);
            JsonPath draft = awaitDraft(t, (long) batches * perBatch);
            assertThat(draft.getLong("lines[0].eventCount")).isEqualTo((long) batches * perBatch);
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).isEqualByComparingTo(BigDecimal.valueOf(expectedBytes));
        } finally {
            second.stop();
        }
    }

    private static Map<String, String> serviceEnv() {
        Map<String, String> env = new HashMap<>(LocalStackResource.addresses().asEnv());
        env.put("TALLY_ADMIN_TOKEN", OPERATOR);
        env.put("TALLY_OTEL_SDK_DISABLED", "true");
        return env;
    }

    /**
     * Request bodies of {@code perBatch} events each, ids {@code prefix<b>-<i>}, bytes counting up from {@code firstBytes};
     * {@code bytes} and {@code events}: of the unique events.
     */
    record Stream(List<String> bodies, long bytes, long events) {
    }

    /**
     * A seeded, messy stream: {@code batches} bodies of {@code perBatch} events; about a fifth of the events repeat
     * an id sent before (in this batch or an earlier one: a duplicate), and event times are spread over the last
     * minute in random order. {@code bytes} and {@code events} count each id once.
     */
    private static Stream messyStream(String prefix, int batches, int perBatch, long seed) {
        Random random = new Random(seed);
        List<String> bodies = new ArrayList<>();
        List<String> sentEvents = new ArrayList<>();
        long total = 0;
        long unique = 0;
        Instant now = Instant.now();
        for (int b = 0; b < batches; b++) {
            StringBuilder sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < perBatch; i++) {
                String e;
                if (!sentEvents.isEmpty() && random.nextInt(5) == 0) {
                    e = sentEvents.get(random.nextInt(sentEvents.size())); // a duplicate: the same event again
                } else {
                    long bytes = 1 + random.nextInt(1_000_000);
                    e = "{\"id\":\"%s%d-%d\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":%d}}"
                            .formatted(prefix, b, i, now.minusMillis(5_000 + random.nextInt(55_000)), bytes);
                    sentEvents.add(e);
                    total += bytes;
                    unique++;
                }
                sb.append(i == 0 ? "" : ",").append(e);
            }
            bodies.add(sb.append("]}").toString());
        }
        return new Stream(bodies, total, unique);
    }

    private static Stream stream(String prefix, long firstBytes, int batches, int perBatch) {
        List<String> bodies = new ArrayList<>();
        long total = 0;
        for (int b = 0; b < batches; b++) {
            StringBuilder sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < perBatch; i++) {
                long bytes = firstBytes + (long) b * perBatch + i;
                total += bytes;
                sb.append(i == 0 ? "" : ",").append(event(prefix + b + "-" + i, bytes));
            }
            bodies.add(sb.append("]}").toString());
        }
        return new Stream(bodies, total, (long) batches * perBatch);
    }

    /**
     * Sends the first body (which also waits until ingest knows the tenant), then the rest on a thread
     * that retries each until it is answered; {@code sent} counts the answered bodies.
     */
    private static Thread send(Tenant t, Stream stream, AtomicInteger sent, long pauseMillis) throws InterruptedException {
        postUntilAnswered(t, stream.bodies().get(0));
        sent.set(1);
        return Thread.ofPlatform().start(() -> {
            try {
                for (int b = 1; b < stream.bodies().size(); b++) {
                    postUntilAnswered(t, stream.bodies().get(b));
                    sent.incrementAndGet();
                    Thread.sleep(pauseMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void awaitSent(AtomicInteger sent, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (sent.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sender stuck at " + sent.get());
            }
            Thread.sleep(20);
        }
    }
}
