package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.infra.local.LocalStack;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with a synchronous streaming standby (issue 23), on a stack of its own ({@code target/failover-stack}): the
 * services connect with a two-host JDBC URL ({@code targetServerType=primary}). While a seeded stream is sent and a
 * close of last month's 400 periods runs, the primary crashes ({@code pg_ctl stop -m immediate}) and the standby is
 * promoted. Nothing committed is lost and nothing is doubled: every unique event of the stream counted once, every
 * period invoiced exactly once with numbers 1..400 without a gap, each customer's prepaid credit used exactly once, and
 * reconciliation finds no drift.
 */
class PostgresFailoverIT {
    private static final int PERIODS = 400;
    private static final List<String> STREAMED = List.of("s0", "s1", "s2", "s3");
    /** Periods closed one by one before the close that the crash cuts. */
    private static final int CLOSED_BEFORE = 40;
    private static OwnPlatform platform;
    private static ServiceProcess ingest;
    private static ServiceProcess invoicing;

    @BeforeAll
    static void start() throws Exception {
        platform = new OwnPlatform(LocalStack.ephemeral(Path.of("target", "failover-stack")).withStandby(LocalStack.freePort()), Map.of());
        assertThat(platform.addresses.jdbcUrl()).as("both hosts").matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+/tally");
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
    void promotingTheStandbyMidStreamAndMidCloseLosesNoCommittedEventInvoiceNumberOrCredit() throws Exception {
        OwnPlatform.Tenant tenant = platform.tenant("Failover", "0.01", true); // last month closes when the test says so
        String admin = tenant.adminKey();
        String key = tenant.ingestKey();
        Instant lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant thisMonth = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        // last month: 400 customers (the 4 streamed ones among them), one event each of 100 + i bytes; a credit of $0.50 each
        StringBuilder rows = new StringBuilder("externalId,name,currency,plan,subscriptionStart\n");
        List<String> customers = new ArrayList<>(STREAMED);
        for (int i = STREAMED.size(); i < PERIODS; i++) {
            customers.add("f" + i);
        }
        customers.forEach(c -> rows.append(c).append(',').append(c).append(",USD,p,").append(lastMonth).append('\n'));
        assertThat(given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).contentType("text/csv").body(rows.toString())
                .post("/v1/customers/import").then().statusCode(200).extract().jsonPath().getInt("created")).isEqualTo(PERIODS);
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < PERIODS; i++) {
            events.append(i == 0 ? "" : ",").append(SeededStream.event("lm-" + i, customers.get(i), thisMonth.minusSeconds(3600), 100 + i));
            post(invoicing.url(), admin, "/v1/customers/" + customers.get(i) + "/credits", "{\"amount\":\"0.50\",\"reason\":\"welcome\"}").then()
                    .statusCode(201);
        }
        assertThat(post(ingest.url(), key, "/v1/events", "{\"events\":[" + events + "]}").then().statusCode(200).extract().jsonPath()
                .getInt("accepted")).isEqualTo(PERIODS);
        awaitRows("select count(*) from invoicing.usage_snapshot where period_start = '" + lastMonth + "'::timestamptz and event_count = 1", PERIODS);

        // this month: the stream, while a close of last month runs, and the failover lands in both
        SeededStream stream = new SeededStream("fo-", STREAMED, 20 * SeededStream.scale(), 250, 41);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = Thread.ofPlatform().start(() -> {
            for (String body : stream.bodies) {
                sendUntilAnswered(key, body);
                sent.incrementAndGet();
                SeededStream.sleep(300);
            }
        });
        while (sent.get() < 5 * SeededStream.scale()) {
            SeededStream.sleep(50);
        }
        // (the tenant's close grace stays at 31 days: the scheduled closer keeps out, the operator's closes below do not wait for it)
        // the first 40 periods closed one by one (committed on the primary, so on the standby too: it is synchronous)
        for (int i = 0; i < CLOSED_BEFORE; i++) {
            SystemRequests.closedInvoice(invoicing.url(), admin, customers.get(i), lastMonth.toString());
        }
        // then a close of all the others, its batch held inside its transaction (the test holds the tenant's number counter
        // row), and the primary crashes under it: the batch's invoices, numbers and credit uses were never committed
        List<String> closeAnswers = new ArrayList<>();
        Connection holder = primary();
        holder.setAutoCommit(false);
        try (PreparedStatement ps = holder.prepareStatement("select last_number from invoicing.invoice_counter where tenant_id = ? for update")) {
            ps.setString(1, tenant.id());
            ps.executeQuery().close();
        }
        Thread closer = Thread.ofPlatform().start(() -> closeAnswers.add(closeAll(admin)));
        awaitRows("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%invoice_counter%'", 1);
        Duration promoted = platform.stack.failOverPostgres();
        System.out.printf("primary crashed mid-stream (%d of %d requests answered) and while a close batch waited inside its transaction"
                + " (%d periods closed before); the standby took writes %d ms later%n", sent.get(), stream.bodies.size(), CLOSED_BEFORE,
                promoted.toMillis());
        try {
            holder.close();
        } catch (SQLException e) {
            // it went down with the primary
        }
        closer.join(Duration.ofMinutes(3));
        sender.join(Duration.ofMinutes(4L * SeededStream.scale()));
        assertThat(sent.get()).isEqualTo(stream.bodies.size());
        // the close again, until it finds nothing left (the first may have been cut by the failover)
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (invoiced(lastMonth) < PERIODS) {
            closeAnswers.add(closeAll(admin));
            assertThat(System.nanoTime()).as("every period closed").isLessThan(deadline);
            SeededStream.sleep(1000);
        }
        System.out.println("close answers: " + closeAnswers);
        assertThat(invoiced(lastMonth)).isEqualTo(PERIODS);
        assertThat(numbers(lastMonth)).as("invoice numbers 1.." + PERIODS + " without a gap or a repeat").hasSize(PERIODS)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, PERIODS).boxed().toList());
        for (int i = 0; i < PERIODS; i += 37) { // a sample: the amount and the credit used once
            JsonPath inv = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/invoices?customer=" + customers.get(i))
                    .then().statusCode(200).body("invoices.size()", Matchers.equalTo(1)).extract().jsonPath();
            BigDecimal total = BigDecimal.valueOf(100 + i).multiply(new BigDecimal("0.01")).setScale(2, RoundingMode.HALF_EVEN);
            assertThat(new BigDecimal(inv.getString("invoices[0].total"))).isEqualByComparingTo(total);
            JsonPath credit = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + admin).get("/v1/customers/" + customers.get(i)
                    + "/credits").then().statusCode(200).extract().jsonPath();
            assertThat(new BigDecimal(credit.getString("balance"))).as("credit used once").isEqualByComparingTo(new BigDecimal("0.50")
                    .subtract(total.min(new BigDecimal("0.50"))));
        }

        List<String> retracted = new ArrayList<>(new TreeSet<>(stream.byId.keySet())).subList(0, 20);
        post(ingest.url(), key, "/v1/events/retract", "{\"ids\":" + retracted.stream().map(id -> "\"" + id + "\"").toList() + ",\"reason\":\"test\"}")
                .then().statusCode(200);
        stream.retract(retracted);
        for (String c : STREAMED) {
            JsonPath draft = SeededStream.awaitDraft(invoicing.url(), admin, c + "/invoices/draft", stream.events(c));
            assertThat(new BigDecimal(draft.getString("lines[0].quantity"))).as(c + " bytes").isEqualByComparingTo(BigDecimal.valueOf(stream.bytes(c)));
        }
        JsonPath reconciled = post(invoicing.url(), admin, "/v1/reconciliations", "{}").then().statusCode(201).extract().jsonPath();
        System.out.println(stream.summary());
        assertThat(reconciled.getInt("drifted")).as("reconciliation drift").isZero();
    }

    /** {@code POST /v1/invoices/close-all}: its status and how many it finalized ("no answer" when the database went away under it). */
    private static String closeAll(String admin) {
        try {
            Response r = post(invoicing.url(), admin, "/v1/invoices/close-all", "{}");
            return r.statusCode() + (r.statusCode() == 200 ? " (" + r.jsonPath().getInt("finalized") + " finalized)" : "");
        } catch (Exception e) {
            return "no answer";
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
                // reset while the database fails over
            }
            assertThat(System.nanoTime()).as("ingest never accepted a batch").isLessThan(deadline);
            SeededStream.sleep(200);
        }
    }

    private static long invoiced(Instant periodStart) throws Exception {
        return query("select count(*) from invoicing.invoice where period_start = '" + periodStart + "'::timestamptz").get(0);
    }

    private static List<Long> numbers(Instant periodStart) throws Exception {
        return query("select cast(substring(number from '[0-9]+$') as bigint) from invoicing.invoice where period_start = '" + periodStart
                + "'::timestamptz order by 1");
    }

    private static void awaitRows(String sql, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (query(sql).get(0) < n) {
            assertThat(System.nanoTime()).as(sql + " reached " + n).isLessThan(deadline);
            SeededStream.sleep(250);
        }
    }

    /** A connection to whichever host is primary now. */
    private static Connection primary() throws SQLException {
        return DriverManager.getConnection(platform.addresses.jdbcUrl() + "?targetServerType=primary", platform.addresses.user(),
                platform.addresses.password());
    }

    /** The first column of every row, on whichever host is primary now. */
    private static List<Long> query(String sql) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = primary();
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

}
