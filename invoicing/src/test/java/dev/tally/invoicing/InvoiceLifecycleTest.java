package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Closing periods into finalized invoices, against real Postgres and Kafka: the watermark and grace gate,
 * gapless numbers under concurrent closes, immutability, void with a reason, reissue, offline payment.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class InvoiceLifecycleTest extends BillingTest {
    private static final String OPERATOR = "test-operator-token";

    @Inject
    TaxProvider taxes;

    private static Tenant tenant(String name) {
        return BillingFixture.tenant(name);
    }

    private static ValidatableResponse post(Tenant t, String path, String body) {
        return BillingFixture.post(t, path, body);
    }

    private static ValidatableResponse get(Tenant t, String path) {
        return BillingFixture.get(t, path);
    }

    private static List<String> setUp(Tenant t, String start, String... customers) {
        return BillingFixture.setUp(t, start, customers);
    }

    private void usage(Tenant t, String customerId, String... periodStartEndQuantity) throws Exception {
        fixture().usage(t, customerId, 1, periodStartEndQuantity);
    }

    private void usage(Tenant t, String customerId, long version, String... periodStartEndQuantity) throws Exception {
        fixture().usage(t, customerId, version, periodStartEndQuantity);
    }

    private long count(String sql, String arg) throws Exception {
        return fixture().count(sql, arg);
    }

    private static String monthStart(int offset) {
        return BillingFixture.monthStart(offset);
    }

    private static String year(Instant now) {
        return BillingFixture.year(now);
    }

    @Test
    void periodsCloseOnceTheWatermarkPassesTheirEndPlusTheGracePeriod() throws Exception {
        Tenant t = tenant("Acme, Inc.");
        String acme = setUp(t, "2026-09-01T00:00:00Z", "acme").get(0);
        usage(t, acme, "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z", "1000",
                "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2500.5");
        Instant now = Instant.now();

        // September ends 10-01 00:00; with the default 1 h grace it is due at a watermark of 01:00
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T00:59:59Z"), "watermark", now)).isZero();
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", now)).as("closed once").isZero();

        JsonPath list = get(t, "/v1/invoices?customer=acme").statusCode(200).extract().jsonPath();
        assertThat(list.getList("invoices.number")).containsExactly("ACMEINC-" + year(now) + "-000002", "ACMEINC-" + year(now) + "-000001");
        assertThat(list.getList("invoices.periodStart")).containsExactly("2026-10-01T00:00:00Z", "2026-09-01T00:00:00Z");
        String october = list.getString("invoices[0].invoiceId");
        // 2500.5 × 0.001 = 2.5005 → USD 2.50, rounded once (HALF_EVEN)
        get(t, "/v1/invoices/" + october).statusCode(200).body("status", equalTo("finalized")).body("finalizedBy", equalTo("watermark"))
                .body("total", equalTo("2.50")).body("lines[0].quantity", equalTo("2500.5")).body("lines[0].exactAmount", equalTo("2.5005"))
                .body("lines[0].meter", equalTo("bandwidth")).body("plan", equalTo("pro")).body("currency", equalTo("USD"));
        assertThat(new BigDecimal(list.getString("invoices[1].total"))).isEqualByComparingTo("1.00");

        // explained: the meter's definition, the price steps, and the way to the events
        get(t, "/v1/invoices/" + october + "/explain").statusCode(200)
                .body("lines[0].definition.aggregation", equalTo("SUM")).body("lines[0].definition.property", equalTo("bytes"))
                .body("lines[0].quantity", equalTo("2500.5")).body("lines[0].priceSteps.size()", equalTo(1))
                .body("lines[0].usagePerDay.service", equalTo("rating"))
                .body("lines[0].usagePerDay.path", equalTo("/v1/customers/" + acme + "/usage?meter=bandwidth&from=2026-10-01&to=2026-11-01"))
                .body("lines[0].event.path", equalTo("/v1/events/{eventId}")).body("total", equalTo("2.50"));
        // announced through the outbox, audited, and what each billed per meter is kept for later adjustments
        assertThat(count("select count(*) from outbox, unnest(payloads) p where topic = 'tally.invoices' and p like '%' || ? || '%'", october))
                .isEqualTo(1);
        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'invoice' and action = 'finalize'", t.id()))
                .isEqualTo(2);
        assertThat(count("select count(*) from invoiced_usage where invoice_id = ? and quantity = 2500.5", october)).isEqualTo(1);

        // a finalized invoice never changes and is never deleted, not even by SQL
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update invoice set total = 0 where invoice_id = ?")) {
            ps.setString(1, october);
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("is finalized");
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("delete from invoice where invoice_id = ?")) {
            ps.setString(1, october);
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("cannot be deleted");
        }
        // the draft of the current period is still a draft
        get(t, "/v1/customers/acme/invoices/draft?at=2026-11-20T00:00:00Z").statusCode(200).body("status", equalTo("draft"));
        // another tenant sees none of it
        Tenant other = tenant("Other");
        get(other, "/v1/invoices/" + october).statusCode(404).body("type", equalTo("https://tally.dev/problems/invoice-not-found"));
        get(other, "/v1/invoices/" + october + "/explain").statusCode(404);
        get(other, "/v1/invoices").statusCode(200).body("invoices.size()", equalTo(0));
    }

    /**
     * Usage that reaches a finalized period is never dropped: it is billed on the customer's next invoice as an
     * adjustment line naming the period and its invoice — priced by that invoice's plan version, the line as it
     * would be now minus what was billed so far — and voiding an invoice undoes the adjustments it carried.
     */
    @Test
    void lateUsageBecomesAnAdjustmentOnTheNextInvoice() throws Exception {
        Tenant t = tenant("Late Inc");
        String acme = setUp(t, "2026-09-01T00:00:00Z", "acme").get(0);
        String sep = "2026-09-01T00:00:00Z";
        String oct = "2026-10-01T00:00:00Z";
        String nov = "2026-11-01T00:00:00Z";
        String dec = "2026-12-01T00:00:00Z";
        Instant now = Instant.now();
        usage(t, acme, sep, oct, "1000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        String sepInvoice = get(t, "/v1/invoices").extract().path("invoices[0].invoiceId");

        // September grows by 800.4 after its invoice; October has 100 of its own
        usage(t, acme, 2, sep, oct, "1800.4", oct, nov, "100");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        JsonPath october = get(t, "/v1/invoices?limit=1").extract().jsonPath();
        assertThat(october.getString("invoices[0].periodStart")).isEqualTo(oct);
        assertThat(october.getString("invoices[0].lines[0].amount")).isEqualTo("0.10");
        assertThat(october.getList("invoices[0].adjustments")).hasSize(1);
        assertThat(october.getString("invoices[0].adjustments[0].invoiceId")).isEqualTo(sepInvoice);
        assertThat(october.getString("invoices[0].adjustments[0].periodStart")).isEqualTo(sep);
        assertThat(october.getString("invoices[0].adjustments[0].quantityBefore")).isEqualTo("1000");
        assertThat(october.getString("invoices[0].adjustments[0].quantityAfter")).isEqualTo("1800.4");
        assertThat(october.getString("invoices[0].adjustments[0].amountBefore")).isEqualTo("1.00");
        assertThat(october.getString("invoices[0].adjustments[0].amountAfter")).isEqualTo("1.80"); // 1.8004, rounded once
        assertThat(october.getString("invoices[0].adjustments[0].amount")).isEqualTo("0.80");
        assertThat(october.getString("invoices[0].total")).isEqualTo("0.90");
        String octInvoice = october.getString("invoices[0].invoiceId");

        // a retraction takes September down to 1500: a negative adjustment on November's invoice
        usage(t, acme, 3, sep, oct, "1500", nov, dec, "2000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-12-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        JsonPath november = get(t, "/v1/invoices?limit=1").extract().jsonPath();
        assertThat(november.getString("invoices[0].adjustments[0].amount")).isEqualTo("-0.30");
        assertThat(november.getString("invoices[0].adjustments[0].quantityBefore")).isEqualTo("1800.4");
        assertThat(november.getString("invoices[0].total")).isEqualTo("1.70");

        // voiding October undoes its +800.4: December's invoice bills September again from 699.6 to 1500
        post(t, "/v1/invoices/" + octInvoice + "/void", "{\"reason\":\"disputed\"}").statusCode(200);
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2027-01-01T01:00:00Z"), "watermark", now)).isEqualTo(1);
        JsonPath december = get(t, "/v1/invoices?limit=1").extract().jsonPath();
        assertThat(december.getString("invoices[0].periodStart")).isEqualTo(dec);
        assertThat(december.getString("invoices[0].adjustments[0].quantityBefore")).isEqualTo("699.6");
        assertThat(december.getString("invoices[0].adjustments[0].amount")).isEqualTo("0.80");
        // September across the live invoices: 1.00 − 0.30 + 0.80 = 1.50 = its usage now, priced once
        assertThat(count("select count(*) from billed_usage where tenant_id = ? and period_start = '2026-09-01T00:00:00Z' and quantity = 1500",
                t.id())).isEqualTo(1);
        // and nothing left to adjust
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2027-01-01T01:00:00Z"), "watermark", now)).isZero();
    }

    @Test
    void anOperatorClosesVoidsReissuesAndRecordsAPayment() throws Exception {
        Tenant t = tenant("Gateway Inc");
        // last month has ended whatever today is; this month has not
        String lastMonth = monthStart(-1);
        String acme = setUp(t, lastMonth, "acme").get(0);
        usage(t, acme, lastMonth, monthStart(0), "4000");
        String y = year(Instant.now());

        JsonPath closed = post(t, "/v1/invoices/close", "{\"customer\":\"acme\"}").statusCode(201)
                .body("number", equalTo("GATEWAYINC-" + y + "-000001")).body("finalizedBy", Matchers.startsWith("key:"))
                .extract().jsonPath();
        String first = closed.getString("invoiceId");
        // this month has not ended: nothing to close; a missing customer is named
        post(t, "/v1/invoices/close", "{\"customer\":\"acme\"}").statusCode(409).body("type", equalTo("https://tally.dev/problems/nothing-to-close"));
        post(t, "/v1/invoices/close", "{}").statusCode(400).body("field", equalTo("customer"));

        // paying needs the provider's reference and the whole total; voiding needs a reason
        post(t, "/v1/invoices/" + first + "/payments", "{\"reference\":\"wire-1\",\"amount\":\"3.99\"}").statusCode(400).body("field", equalTo("amount"));
        post(t, "/v1/invoices/" + first + "/void", "{\"reason\":\" \"}").statusCode(400).body("field", equalTo("reason"));
        post(t, "/v1/invoices/" + first + "/reissue", "").statusCode(409).body("type", equalTo("https://tally.dev/problems/invoice-not-void"));
        post(t, "/v1/invoices/" + first + "/void", "{\"reason\":\"wrong usage imported\"}").statusCode(200).body("status", equalTo("void"))
                .body("voidReason", equalTo("wrong usage imported")).body("voidedBy", Matchers.startsWith("key:"));
        post(t, "/v1/invoices/" + first + "/void", "{\"reason\":\"again\"}").statusCode(409);
        post(t, "/v1/invoices/" + first + "/payments", "{\"reference\":\"wire-1\",\"amount\":\"4.00\"}").statusCode(409);
        // the voided period is not closed again on its own
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", Instant.now())).isZero();

        // reissued from the usage as it stands now, pointing back; only once
        JsonPath reissued = post(t, "/v1/invoices/" + first + "/reissue", "").statusCode(201).body("reissueOf", equalTo(first))
                .body("number", equalTo("GATEWAYINC-" + y + "-000002")).body("status", equalTo("finalized")).extract().jsonPath();
        String second = reissued.getString("invoiceId");
        post(t, "/v1/invoices/" + first + "/reissue", "").statusCode(409).body("type", equalTo("https://tally.dev/problems/period-invoiced"));

        post(t, "/v1/invoices/" + second + "/payments", "{\"reference\":\"wire-2\",\"amount\":\"4.00\"}").statusCode(200)
                .body("status", equalTo("paid")).body("paymentReference", equalTo("wire-2"));
        post(t, "/v1/invoices/" + second + "/void", "{\"reason\":\"too late\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/invoice-not-voidable"));
        get(t, "/v1/invoices?status=paid").statusCode(200).body("invoices.invoiceId", equalTo(List.of(second)));
        get(t, "/v1/invoices?status=open").statusCode(400).body("field", equalTo("status"));

        // a paid invoice cannot go back to finalized, even by SQL
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update invoice set status = 'finalized', paid_at = null where invoice_id = ?")) {
            ps.setString(1, second);
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("is paid");
        }
        List<String> actions = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select action from audit_log where tenant_id = ? and entity_type = 'invoice' order by seq")) {
            ps.setString(1, t.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actions.add(rs.getString(1));
                }
            }
        }
        assertThat(actions).containsExactly("finalize", "void", "reissue", "pay");
        get(t, "/v1/audit").statusCode(200).body("chainIntact", equalTo(true));
        // a read key may read invoices but not change them
        String readKey = post(t, "/v1/api-keys", "{\"scope\":\"read\"}").statusCode(201).extract().path("key");
        given().header("Authorization", "Bearer " + readKey).get("/v1/invoices/" + second).then().statusCode(200);
        given().header("Authorization", "Bearer " + readKey).contentType(ContentType.JSON).body("{\"reason\":\"x\"}")
                .post("/v1/invoices/" + second + "/void").then().statusCode(403);
    }

    @Test
    void numbersStayGaplessWhenClosesRaceForTheSamePeriods() throws Exception {
        Tenant t = tenant("Race");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add("c" + i);
        }
        setUp(t, monthStart(-2), names.toArray(String[]::new));
        // periods close in order: the later month cannot go first
        post(t, "/v1/invoices/close", "{\"customer\":\"c0\",\"periodStart\":\"" + monthStart(-1) + "\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/close-oldest-first"));
        // each customer's two ended months, each asked for twice at once: 20 invoices, 20 requests refused
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String n : names) {
                for (int twice = 0; twice < 2; twice++) {
                    answers.add(pool.submit(() -> post(t, "/v1/invoices/close", "{\"customer\":\"" + n + "\"}").extract().statusCode()));
                }
            }
        }
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : answers) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).containsOnly(201, 409);
        List<String> numbers = get(t, "/v1/invoices?limit=1000").statusCode(200).extract().jsonPath().getList("invoices.number");
        long created = codes.stream().filter(c -> c == 201).count();
        assertThat(numbers).hasSize((int) created);
        assertThat(created).isGreaterThanOrEqualTo(10);
        TreeSet<Integer> sequence = new TreeSet<>();
        numbers.forEach(n -> sequence.add(Integer.parseInt(n.substring(n.lastIndexOf('-') + 1))));
        assertThat(sequence).as("distinct, from 1, no gaps").hasSize(numbers.size());
        assertThat(sequence.first()).isEqualTo(1);
        assertThat(sequence.last()).isEqualTo(numbers.size());
        // and the rest closes the remaining periods exactly once: 20 in all
        for (String n : names) {
            while (post(t, "/v1/invoices/close", "{\"customer\":\"" + n + "\"}").extract().statusCode() == 201) {
                // until nothing is left to close
            }
        }
        List<String> all = get(t, "/v1/invoices?limit=1000").statusCode(200).extract().jsonPath().getList("invoices.number");
        assertThat(all).hasSize(20);
        List<String> sorted = new ArrayList<>(all);
        Collections.sort(sorted);
        assertThat(sorted.get(19)).endsWith("-000020");
    }

    @Test
    void watermarksAreKeptPerPartitionAndTheCloserWaitsForStoredUsage() throws Exception {
        // a partition beyond the topic's: stored (never moved back), but not part of the platform watermark
        int partition = 9_000 + ThreadLocalRandom.current().nextInt(1_000);
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            for (String at : List.of("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "2026-10-01T00:00:00Z")) {
                p.send(new ProducerRecord<>(Topics.WATERMARKS, "rating/" + partition,
                        json.writeValueAsString(new WatermarkV1(partition, Instant.parse(at), Instant.now())))).get();
            }
            p.send(new ProducerRecord<>(Topics.WATERMARKS, "rating/x", "{not json")).get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String sql = "select count(*) from rating_watermark where kafka_partition = " + partition + " and accepted_before = ?::timestamptz";
        while (count(sql, "2026-11-02T00:00:00Z") == 0) {
            assertThat(System.nanoTime()).as("watermark stored").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(300); // the older 10-01 came after it and must not move it back
        assertThat(count(sql, "2026-11-02T00:00:00Z")).isEqualTo(1);

        // the platform watermark is the least over the topic's partitions, once each has one
        Instant platform = closer.platformWatermark();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select count(*), min(accepted_before) from rating_watermark where kafka_partition < ?")) {
            int partitions = Topics.ALL.stream().filter(s -> s.name().equals(Topics.EVENTS_ACCEPTED)).findFirst().orElseThrow().partitions();
            ps.setInt(1, partitions);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(platform).isEqualTo(rs.getInt(1) < partitions ? null : rs.getTimestamp(2).toInstant());
            }
        }
        assertThat(platform).isNotEqualTo(Instant.parse("2026-11-02T00:00:00Z"));

        // once every published snapshot is stored (and committed), the closer may proceed
        Tenant t = tenant("Probe");
        String id = setUp(t, "2026-09-01T00:00:00Z", "probe").get(0);
        usage(t, id, "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z", "5");
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!closer.usageCaughtUp()) {
            assertThat(System.nanoTime()).as("usage consumer caught up").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void aTenantsGraceAndPrefixAreItsOwn() throws Exception {
        Tenant t = tenant("Graceful");
        String acme = setUp(t, "2026-09-01T00:00:00Z", "acme").get(0);
        usage(t, acme, "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z", "10");
        var admin = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON);
        admin.body("{\"closeGrace\":\"P2D\",\"invoicePrefix\":\"GR\"}").patch("/v1/admin/tenants/" + t.id()).then().statusCode(200)
                .body("closeGrace", equalTo("PT48H")).body("invoicePrefix", equalTo("GR"));
        given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"closeGrace\":\"P40D\"}")
                .patch("/v1/admin/tenants/" + t.id()).then().statusCode(400).body("field", equalTo("closeGrace"));
        given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"closeGrace\":\"soon\"}")
                .patch("/v1/admin/tenants/" + t.id()).then().statusCode(400).body("field", equalTo("closeGrace"));
        given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"invoicePrefix\":\"gr-1\"}")
                .patch("/v1/admin/tenants/" + t.id()).then().statusCode(400).body("field", equalTo("invoicePrefix"));
        // a tenant key is not an operator
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{\"closeGrace\":\"PT0S\"}")
                .patch("/v1/admin/tenants/" + t.id()).then().statusCode(401);
        // two days of grace: not due a day after September's end, due two days after
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-02T00:00:00Z"), "watermark", Instant.now())).isZero();
        assertThat(closer.closeTenantAt(t.id(), Instant.parse("2026-10-03T00:00:00Z"), "watermark", Instant.now())).isEqualTo(1);
        get(t, "/v1/invoices").statusCode(200).body("invoices[0].number", equalTo("GR-" + year(Instant.now()) + "-000001"));
        given().header("Authorization", "Bearer " + OPERATOR).get("/v1/admin/tenants/" + t.id() + "/settings").then().statusCode(200)
                .body("closeGrace", equalTo("PT48H"));
    }

    /**
     * A period that cannot be priced (here: its customer's currency broken behind the API's back) fails its batch;
     * the closer then finalizes the others one by one, leaves that subscription's periods open — in order, none
     * skipped — and finalizes them on a later run once the cause is gone. Numbers stay gapless throughout.
     */
    @Test
    void aPeriodThatFailsHoldsBackOnlyItsOwnSubscription() throws Exception {
        Tenant t = tenant("Faulty");
        List<String> ids = setUp(t, monthStart(-2), "a", "b", "c");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update customer set currency = 'ZZZ' where tenant_id = ? and customer_id = ?")) {
            ps.setString(1, t.id());
            ps.setString(2, ids.get(1));
            ps.executeUpdate();
        }
        Instant cutoff = Instant.parse(monthStart(0));
        assertThat(closer.closeTenant(t.id(), cutoff, "watermark", Instant.now())).isEqualTo(4);
        assertThat(count("select count(*) from invoice where tenant_id = ? and customer_id = '" + ids.get(1) + "'", t.id())).isZero();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update customer set currency = 'USD' where tenant_id = ? and customer_id = ?")) {
            ps.setString(1, t.id());
            ps.setString(2, ids.get(1));
            ps.executeUpdate();
        }
        assertThat(closer.closeTenant(t.id(), cutoff, "watermark", Instant.now())).isEqualTo(2);
        List<String> numbers = get(t, "/v1/invoices?limit=100").extract().jsonPath().getList("invoices.number");
        assertThat(numbers).hasSize(6);
        assertThat(numbers.stream().map(n -> Integer.parseInt(n.substring(n.lastIndexOf('-') + 1))).sorted().toList())
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(get(t, "/v1/invoices?customer=b").extract().jsonPath().getList("invoices.periodStart"))
                .containsExactly(monthStart(-1), monthStart(-2));
    }

    /**
     * Taxes follow the customer's tax region: exclusive on top (DE 19 %), inclusive inside the amounts (UK 20 %), none
     * without a rate; each rounded once, and the rate applied is copied onto the invoice — changing it later changes
     * drafts, never a finalized invoice.
     */
    @Test
    void taxesFollowTheCustomersRegionAndStayOnTheInvoiceAsApplied() throws Exception {
        Tenant t = tenant("Taxed");
        String last = monthStart(-1);
        List<String> ids = setUp(t, last, "de", "uk", "none");
        for (String[] c : new String[][] {{"de", "DE"}, {"uk", "UK"}}) {
            given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{\"taxRegion\":\"" + c[1] + "\"}")
                    .patch("/v1/customers/" + c[0]).then().statusCode(200);
        }
        var put = (BiFunction<String, String, ValidatableResponse>) (region, body) -> given()
                .header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).put("/v1/tax-rates/" + region).then();
        put.apply("DE", "{\"name\":\"VAT\",\"ratePercent\":\"19\",\"inclusive\":false}").statusCode(200).body("ratePercent", equalTo("19"));
        put.apply("UK", "{\"name\":\"VAT\",\"ratePercent\":\"20\",\"inclusive\":true}").statusCode(200);
        put.apply("FR", "{\"name\":\"TVA\",\"ratePercent\":\"101\",\"inclusive\":false}").statusCode(400).body("field", equalTo("ratePercent"));
        put.apply("FR", "{\"name\":\"TVA\",\"ratePercent\":\"20\"}").statusCode(400).body("field", equalTo("inclusive"));
        put.apply("F R", "{\"name\":\"TVA\",\"ratePercent\":\"20\",\"inclusive\":true}").statusCode(400).body("field", equalTo("region"));
        get(t, "/v1/tax-rates").statusCode(200).body("rates.region", equalTo(List.of("DE", "UK")));

        usage(t, ids.get(0), last, monthStart(0), "10000");
        usage(t, ids.get(1), last, monthStart(0), "12000");
        usage(t, ids.get(2), last, monthStart(0), "5000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(3);
        get(t, "/v1/invoices?customer=de").statusCode(200).body("invoices[0].subtotal", equalTo("10.00"))
                .body("invoices[0].tax.tax", equalTo("1.90")).body("invoices[0].total", equalTo("11.90"))
                .body("invoices[0].tax.explanation", equalTo("VAT 19 % on USD 10.00 = USD 1.90"));
        get(t, "/v1/invoices?customer=uk").statusCode(200).body("invoices[0].total", equalTo("12.00"))
                .body("invoices[0].tax.net", equalTo("10.00")).body("invoices[0].tax.tax", equalTo("2.00"))
                .body("invoices[0].tax.inclusive", equalTo(true));
        get(t, "/v1/invoices?customer=none").statusCode(200).body("invoices[0].total", equalTo("5.00"))
                .body("invoices[0].tax", Matchers.nullValue());

        // a new rate: the draft follows it, the finalized invoice keeps what it applied
        put.apply("DE", "{\"name\":\"VAT\",\"ratePercent\":\"7\",\"inclusive\":false}").statusCode(200);
        get(t, "/v1/invoices?customer=de").statusCode(200).body("invoices[0].total", equalTo("11.90"));
        get(t, "/v1/customers/de/invoices/draft").statusCode(200).body("tax.ratePercent", equalTo("7"));
        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'tax_rate'", t.id())).isEqualTo(3);
        // a change at a date: scheduled, not in force yet; the provider answers by date
        Instant inTwoDays = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        put.apply("DE", "{\"name\":\"VAT\",\"ratePercent\":\"21\",\"inclusive\":false,\"effectiveFrom\":\"" + inTwoDays + "\"}")
                .statusCode(200);
        put.apply("DE", "{\"name\":\"VAT\",\"ratePercent\":\"5\",\"inclusive\":false,\"effectiveFrom\":\"2020-01-01T00:00:00Z\"}")
                .statusCode(400).body("field", equalTo("effectiveFrom"));
        get(t, "/v1/tax-rates").statusCode(200).body("rates.find { it.region == 'DE' }.ratePercent", equalTo("7"))
                .body("scheduled[0].ratePercent", equalTo("21")).body("scheduled[0].effectiveFrom", equalTo(inTwoDays.toString()));
        get(t, "/v1/customers/de/invoices/draft").statusCode(200).body("tax.ratePercent", equalTo("7"));
        assertThat(taxes.rateFor(t.id(), "DE", inTwoDays.minusSeconds(1)).orElseThrow().ratePercent()).isEqualByComparingTo("7");
        assertThat(taxes.rateFor(t.id(), "DE", inTwoDays).orElseThrow().ratePercent()).isEqualByComparingTo("21");
        given().header("Authorization", "Bearer " + t.key()).delete("/v1/tax-rates/UK").then().statusCode(200);
        given().header("Authorization", "Bearer " + t.key()).delete("/v1/tax-rates/UK").then().statusCode(404);
    }

    /**
     * Prepaid credit burns the invoice totals down, the grant most at risk (expiring soonest) first; the ledger shows
     * every movement with the balance after it; payment is of the amount due; a void gives the credit back.
     */
    @Test
    void prepaidCreditBurnsDownInOrderAndAVoidGivesItBack() throws Exception {
        Tenant t = tenant("Prepaid");
        String id = setUp(t, monthStart(-2), "p").get(0);
        usage(t, id, monthStart(-2), monthStart(-1), "6000", monthStart(-1), monthStart(0), "4000");
        post(t, "/v1/customers/p/credits", "{\"amount\":\"0\",\"reason\":\"x\"}").statusCode(400).body("field", equalTo("amount"));
        post(t, "/v1/customers/p/credits", "{\"amount\":\"1.001\",\"reason\":\"x\"}").statusCode(400).body("field", equalTo("amount"));
        post(t, "/v1/customers/p/credits", "{\"amount\":\"1\"}").statusCode(400).body("field", equalTo("reason"));
        post(t, "/v1/customers/p/credits", "{\"amount\":\"3\",\"reason\":\"goodwill\"}").statusCode(201);
        post(t, "/v1/customers/p/credits", "{\"amount\":\"5.00\",\"reason\":\"promo\",\"expiresAt\":\"" + monthStart(2) + "\"}")
                .statusCode(201).body("balance", equalTo("8.00")).body("grants.size()", equalTo(2));

        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);
        JsonPath invoicesList = get(t, "/v1/invoices?customer=p").extract().jsonPath();
        // newest first: the later month (4.00) took what was left (2.00); the earlier (6.00) took the promo's 5.00, then 1.00
        assertThat(invoicesList.getString("invoices[1].total")).isEqualTo("6.00");
        assertThat(invoicesList.getString("invoices[1].creditsApplied")).isEqualTo("6.00");
        assertThat(invoicesList.getString("invoices[1].amountDue")).isEqualTo("0.00");
        assertThat(invoicesList.getString("invoices[0].creditsApplied")).isEqualTo("2.00");
        assertThat(invoicesList.getString("invoices[0].amountDue")).isEqualTo("2.00");
        JsonPath credit = get(t, "/v1/customers/p/credits").statusCode(200).extract().jsonPath();
        assertThat(new BigDecimal(credit.getString("balance"))).isEqualByComparingTo("0");
        assertThat(credit.getList("ledger.kind")).containsExactly("GRANTED", "GRANTED", "APPLIED", "APPLIED", "APPLIED");
        assertThat(credit.getList("ledger.amount")).containsExactly("3.00", "5.00", "5.00", "1.00", "2.00");
        assertThat(credit.getList("ledger.balanceAfter")).containsExactly("3.00", "5.00", "0.00", "2.00", "0.00");

        String later = invoicesList.getString("invoices[0].invoiceId");
        post(t, "/v1/invoices/" + later + "/payments", "{\"reference\":\"w\",\"amount\":\"4.00\"}").statusCode(400);
        post(t, "/v1/invoices/" + later + "/payments", "{\"reference\":\"w\",\"amount\":\"2.00\"}").statusCode(200);
        post(t, "/v1/invoices/" + invoicesList.getString("invoices[1].invoiceId") + "/void", "{\"reason\":\"refund as credit\"}").statusCode(200);
        credit = get(t, "/v1/customers/p/credits").statusCode(200).extract().jsonPath();
        assertThat(new BigDecimal(credit.getString("balance"))).isEqualByComparingTo("6.00");
        assertThat(credit.getList("ledger.kind")).endsWith("RESTORED", "RESTORED");
        Tenant other = tenant("Other credit");
        get(other, "/v1/customers/p/credits").statusCode(404);

        // a grant that expired unused lapses at the next close, with a LAPSED entry: the ledger explains every balance
        post(t, "/v1/customers/p/credits", "{\"amount\":\"4.00\",\"reason\":\"trial credit\",\"effectiveAt\":\"" + monthStart(-2)
                + "\",\"expiresAt\":\"" + Instant.parse(monthStart(-1)).plusSeconds(86_400) + "\"}").statusCode(201);
        usage(t, id, monthStart(0), monthStart(1), "1000");
        assertThat(closer.closeTenantAt(t.id(), Instant.parse(monthStart(1)).plusSeconds(3600), "watermark", Instant.now())).isEqualTo(1);
        credit = get(t, "/v1/customers/p/credits").statusCode(200).extract().jsonPath();
        assertThat(credit.getList("ledger.kind")).contains("LAPSED");
        Map<String, Object> lapsed = credit.<Map<String, Object>>getList("ledger").stream().filter(e -> "LAPSED".equals(e.get("kind")))
                .findFirst().orElseThrow();
        assertThat(lapsed.get("amount")).isEqualTo("4.00");
        assertThat(lapsed.get("balanceAfter")).isEqualTo("0");
        assertThat((String) lapsed.get("reason")).startsWith("expired at ");
    }


    /**
     * A grant without rollover ("use it or lose it", issue 19): what the first period it is usable in leaves unused
     * lapses at that period's close, with a LAPSED entry on that invoice; a grant with rollover carries its balance on,
     * and a grant not yet usable does not lapse.
     */
    @Test
    void aGrantWithoutRolloverLapsesWhatItsFirstPeriodLeavesUnused() throws Exception {
        Tenant t = tenant("Rollover");
        String id = setUp(t, monthStart(-2), "r").get(0);
        usage(t, id, monthStart(-2), monthStart(-1), "3000", monthStart(-1), monthStart(0), "4000");
        post(t, "/v1/customers/r/credits", "{\"amount\":\"5.00\",\"reason\":\"monthly allowance\",\"rollover\":false,\"effectiveAt\":\""
                + monthStart(-2) + "\"}").statusCode(201).body("grants[0].rollover", equalTo(false));
        post(t, "/v1/customers/r/credits", "{\"amount\":\"10.00\",\"priority\":1,\"reason\":\"prepaid\",\"effectiveAt\":\"" + monthStart(-2) + "\"}")
                .statusCode(201).body("grants[1].rollover", equalTo(true));
        post(t, "/v1/customers/r/credits", "{\"amount\":\"1.00\",\"reason\":\"next allowance\",\"rollover\":false,\"effectiveAt\":\""
                + monthStart(1) + "\"}").statusCode(201);

        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);
        JsonPath invoicesList = get(t, "/v1/invoices?customer=r").extract().jsonPath();
        // the earlier month (3.00) used the allowance, whose 2.00 left lapsed at that close; the later (4.00) used the prepaid
        assertThat(invoicesList.getString("invoices[1].creditsApplied")).isEqualTo("3.00");
        assertThat(invoicesList.getString("invoices[0].creditsApplied")).isEqualTo("4.00");
        JsonPath credit = get(t, "/v1/customers/r/credits").statusCode(200).extract().jsonPath();
        assertThat(credit.getList("ledger.kind")).containsExactly("GRANTED", "GRANTED", "GRANTED", "APPLIED", "LAPSED", "APPLIED");
        assertThat(credit.getList("ledger.amount")).containsExactly("5.00", "10.00", "1.00", "3.00", "2.00", "4.00");
        assertThat(credit.getList("ledger.balanceAfter")).containsExactly("5.00", "10.00", "1.00", "2.00", "0.00", "6.00");
        assertThat(credit.getList("ledger.reason", String.class).get(4)).isEqualTo("no rollover at period end");
        assertThat(credit.getString("ledger[4].invoiceId")).isEqualTo(invoicesList.getString("invoices[1].invoiceId"));
        assertThat(credit.getList("grants.remaining")).containsExactly("0.00", "6.00", "1.00");
        assertThat(new BigDecimal(credit.getString("balance"))).isEqualByComparingTo("6.00");
    }

    /**
     * With a graduated price (first 1,000 free, then 0.01), amounts are not linear in usage: adjustments bill the
     * line now minus the amount billed so far, so a period's amounts across live invoices add up to its usage priced
     * once even after the invoice carrying an adjustment is voided; and the adjusted period's own invoice cannot be
     * voided while later invoices carry its adjustments (a reissue would bill them twice).
     */
    @Test
    void adjustmentsStayExactUnderTieredPricesAndVoids() throws Exception {
        Tenant t = tenant("Tiered");
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}").statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"tiered","name":"Tiered","currency":"USD","charges":[{"meter":"bandwidth","description":"Bandwidth",
                 "price":{"model":"graduated","tiers":[{"upTo":"1000","unitPrice":"0"},{"unitPrice":"0.01"}]}}]}""").statusCode(201);
        String id = post(t, "/v1/customers", "{\"externalId\":\"g\",\"name\":\"G\",\"plan\":\"tiered\",\"subscriptionStart\":\"2026-09-01T00:00:00Z\"}")
                .statusCode(201).extract().path("customerId");
        String sep = "2026-09-01T00:00:00Z";
        String oct = "2026-10-01T00:00:00Z";
        Instant now = Instant.now();
        usage(t, id, sep, oct, "500");
        closer.closeTenantAt(t.id(), Instant.parse("2026-10-01T01:00:00Z"), "watermark", now);
        String sepInvoice = get(t, "/v1/invoices").extract().path("invoices[0].invoiceId");
        usage(t, id, 2, sep, oct, "1500");
        closer.closeTenantAt(t.id(), Instant.parse("2026-11-01T01:00:00Z"), "watermark", now);
        JsonPath october = get(t, "/v1/invoices?limit=1").extract().jsonPath();
        assertThat(october.getString("invoices[0].adjustments[0].amount")).isEqualTo("5.00");
        usage(t, id, 3, sep, oct, "2000");
        closer.closeTenantAt(t.id(), Instant.parse("2026-12-01T01:00:00Z"), "watermark", now);
        assertThat(get(t, "/v1/invoices?limit=1").extract().jsonPath().getString("invoices[0].adjustments[0].amount")).isEqualTo("5.00");

        post(t, "/v1/invoices/" + sepInvoice + "/void", "{\"reason\":\"redo\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/invoice-adjusted"));
        post(t, "/v1/invoices/" + october.getString("invoices[0].invoiceId") + "/void", "{\"reason\":\"disputed\"}").statusCode(200);
        closer.closeTenantAt(t.id(), Instant.parse("2027-01-01T01:00:00Z"), "watermark", now);
        JsonPath december = get(t, "/v1/invoices?limit=1").extract().jsonPath();
        assertThat(december.getString("invoices[0].adjustments[0].amountBefore")).isEqualTo("5.00");
        assertThat(december.getString("invoices[0].adjustments[0].amountAfter")).isEqualTo("10.00");
        assertThat(december.getString("invoices[0].adjustments[0].amount")).isEqualTo("5.00");
        // September over its live invoices: 0.00 + 5.00 (November) + 5.00 (December) = 10.00 = 2,000 priced once
        BigDecimal live = BigDecimal.ZERO;
        for (Map<String, Object> inv : get(t, "/v1/invoices?limit=1000").extract().jsonPath().<Map<String, Object>>getList("invoices")) {
            if ("void".equals(inv.get("status"))) {
                continue;
            }
            if (sep.equals(inv.get("periodStart"))) {
                live = live.add(new BigDecimal((String) inv.get("total")));
            }
            for (Object a : (List<?>) inv.get("adjustments")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> adj = (Map<String, Object>) a;
                if (sep.equals(adj.get("periodStart"))) {
                    live = live.add(new BigDecimal((String) adj.get("amount")));
                }
            }
        }
        assertThat(live).isEqualByComparingTo("10.00");
    }
}
