package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.testing.LocalStackResource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class InvoicingTest extends BillingTest {
    private static final String OPERATOR = "test-operator-token";
    private static final Instant NOV = Instant.parse("2026-11-15T00:00:00Z");

    @Inject
    InMemorySpanExporter spans;

    record Tenant(String id, String key) {
    }

    private Tenant tenant() {
        var r = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"Gateway Inc\"}").post("/v1/admin/tenants")
                .then().statusCode(201).body("apiKey.scope", equalTo("admin")).body("apiKey.key", startsWith("tly_"))
                .extract().jsonPath();
        return new Tenant(r.getString("tenantId"), r.getString("apiKey.key"));
    }

    private ValidatableResponse post(Tenant t, String path, String body) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body(body).post(path).then();
    }

    private String setUpCustomer(Tenant t, String unitPrice) {
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .statusCode(201);
        post(t, "/v1/plans?publish=true", """
                {"key":"pro","name":"Pro","currency":"USD",
                 "charges":[{"meter":"bandwidth","description":"Bandwidth (bytes)","price":{"model":"per_unit","unitPrice":"%s"}}]}"""
                .formatted(unitPrice)).statusCode(201).body("status", equalTo("published"));
        return post(t, "/v1/customers", "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"pro\",\"subscriptionStart\":\"2026-11-01T00:00:00Z\"}")
                .statusCode(201).extract().path("customerId");
    }

    @Test
    void invoicingOwnsTheCatalogAndKeepsNoReadModelOfIt() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", Matchers.not(Matchers.hasItem("Catalog read model")));
    }

    @Test
    void operatorEndpointsNeedTheOperatorTokenAndTenantEndpointsAKey() {
        given().contentType(ContentType.JSON).body("{\"name\":\"x\"}").post("/v1/admin/tenants")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{\"name\":\"x\"}")
                .post("/v1/admin/tenants").then().statusCode(401);
        Tenant t = tenant();
        // a tenant key is not an operator token
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON).body("{\"name\":\"x\"}")
                .post("/v1/admin/tenants").then().statusCode(401);
        // an ingest-scoped key cannot change the catalog
        String ingestKey = post(t, "/v1/api-keys", "{\"scope\":\"ingest\"}").statusCode(201).extract().path("key");
        given().header("Authorization", "Bearer " + ingestKey).contentType(ContentType.JSON)
                .body("{\"key\":\"m\",\"eventType\":\"e\",\"aggregation\":\"COUNT\"}").post("/v1/meters")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void invalidCatalogInputNamesTheFieldAndWritesNothing() throws Exception {
        Tenant t = tenant();
        post(t, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bandwidth\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .statusCode(201);
        String perUnit = "{\"key\":\"p\",\"name\":\"P\",\"currency\":\"%s\",\"charges\":[{\"meter\":\"%s\",\"price\":{\"model\":\"per_unit\",\"unitPrice\":\"%s\"}}]}";
        post(t, "/v1/plans", perUnit.formatted("USD", "bandwidth", "-1"))
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("charges[0].price.unitPrice"));
        post(t, "/v1/plans", perUnit.formatted("XYZ", "bandwidth", "1"))
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/unknown-currency")).body("field", equalTo("currency"));
        post(t, "/v1/plans", perUnit.formatted("USD", "nope", "1"))
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/unknown-meter")).body("field", equalTo("charges[0].meter"));
        post(t, "/v1/plans", perUnit.formatted("USD", "bandwidth", "0.0000000000001"))
                .statusCode(400).body("field", equalTo("charges[0].price.unitPrice"));
        // every problem of a document at once, the first one named in "field"
        post(t, "/v1/plans", """
                {"key":"P Q","name":"","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"graduated","tiers":[]}}]}""")
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/invalid-plan")).body("field", equalTo("key"))
                .body("errors.field", Matchers.hasItems("key", "name", "charges[0].price.tiers"));
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"SUM\"}").statusCode(400).body("field", equalTo("property"));
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"MEDIAN\"}").statusCode(400).body("field", equalTo("aggregation"));
        // every aggregation but COUNT reads a property; PERCENTILE, and only PERCENTILE, needs p in (0, 100]
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"MAX\"}").statusCode(400).body("field", equalTo("property"));
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"PERCENTILE\",\"property\":\"v\"}")
                .statusCode(400).body("field", equalTo("percentile"));
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"PERCENTILE\",\"property\":\"v\",\"percentile\":100.5}")
                .statusCode(400).body("field", equalTo("percentile"));
        post(t, "/v1/meters", "{\"key\":\"x\",\"eventType\":\"e\",\"aggregation\":\"SUM\",\"property\":\"v\",\"percentile\":95}")
                .statusCode(400).body("field", equalTo("percentile"));
        assertThat(count("select count(*) from plan where tenant_id = ?", t.id())).isZero();
        assertThat(count("select count(*) from meter where tenant_id = ?", t.id())).isEqualTo(1);
        post(t, "/v1/meters", "{\"key\":\"p95\",\"eventType\":\"e\",\"aggregation\":\"PERCENTILE\",\"property\":\"v\",\"percentile\":95.0}")
                .statusCode(201).body("percentile", Matchers.hasToString("95"));
        post(t, "/v1/meters", "{\"key\":\"seats\",\"eventType\":\"e\",\"aggregation\":\"UNIQUE_COUNT\",\"property\":\"user\"}")
                .statusCode(201).body("percentile", Matchers.nullValue());
    }

    @Test
    void catalogChangesArePublishedThroughTheOutbox() throws Exception {
        Tenant t = tenant();
        String customerId = setUpCustomer(t, "0.0000025");
        List<CatalogRecordV1> published = new ArrayList<>();
        try (var c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "select p from outbox, unnest(payloads) as u(p) where topic = ? and p like ? order by id")) {
            ps.setString(1, Topics.CATALOG);
            ps.setString(2, "%" + t.id() + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(json.readValue(rs.getString(1), CatalogRecordV1.class));
                }
            }
        }
        assertThat(published).extracting(CatalogRecordV1::kind)
                .containsExactly(CatalogRecordV1.Kind.API_KEY, CatalogRecordV1.Kind.METER, CatalogRecordV1.Kind.PLAN_VERSION,
                        CatalogRecordV1.Kind.PLAN_VERSION, CatalogRecordV1.Kind.CUSTOMER, CatalogRecordV1.Kind.SUBSCRIPTION);
        assertThat(published.get(2).planVersion().status()).isEqualTo("draft");
        assertThat(published.get(3).planVersion().status()).isEqualTo("published");
        assertThat(published.get(3).planVersion().spec().charges().get(0).price().unitPrice()).isEqualByComparingTo("0.0000025");
        assertThat(published.get(4).customer().customerId()).isEqualTo(customerId);
        assertThat(published.get(5).subscription().subscription().customerId()).isEqualTo(customerId);
        assertThat(published.get(5).subscription().subscription().phases().get(0).planVersion()).isEqualTo(1);
        assertThat(published.get(0).apiKey().sha256()).hasSize(64).doesNotContain("tly_");
    }

    @Test
    void theDraftInvoiceKeepsTheHighestSnapshotVersionAndRoundsOncePerLine() throws Exception {
        Tenant t = tenant();
        String customerId = setUpCustomer(t, "0.0000025");
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        spans.reset();
        // versions arrive out of order and twice; the highest (3) must win
        publish(t, customerId, 1, "1000", 1, null);
        publish(t, customerId, 3, "1234567.5", 7, "00-" + traceId + "-b7ad6b7169203331-01");
        publish(t, customerId, 2, "5000", 3, null);
        publish(t, customerId, 3, "1234567.5", 7, null);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count("select count(*) from usage_snapshot where tenant_id = ? and version = 3", t.id()) == 0) {
            assertThat(System.nanoTime()).as("snapshot stored in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(500);
        // 1,234,567.5 × 0.0000025 = 3.08641875 → USD 3.09 (HALF_EVEN)
        given().header("Authorization", "Bearer " + t.key()).queryParam("at", "2026-11-20T00:00:00Z")
                .get("/v1/customers/acme/invoices/draft").then().statusCode(200)
                .body("currency", equalTo("USD"))
                .body("periodStart", equalTo("2026-11-01T00:00:00Z"))
                .body("lines", hasSize(1))
                .body("lines[0].quantity", equalTo("1234567.5"))
                .body("lines[0].eventCount", equalTo(7))
                .body("lines[0].usageVersion", equalTo(3))
                .body("lines[0].exactAmount", equalTo("3.08641875"))
                .body("lines[0].amount", equalTo("3.09"))
                .body("lines[0].explanation[0]", equalTo("1234567.5 × USD 0.0000025 = USD 3.08641875"))
                .body("plan", equalTo("pro")).body("planVersion", equalTo(1))
                .body("total", equalTo("3.09"));

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).anyMatch(s -> s.getTraceId().equals(traceId) && s.getParentSpanId().equals("b7ad6b7169203331"));
    }

    /** A snapshot invoicing cannot read is set aside with its reason; the snapshots after it are stored. */
    @Test
    void anUnreadableSnapshotIsSetAsideAndTheNextOnesAreStored() throws Exception {
        Tenant t = tenant();
        String customerId = setUpCustomer(t, "0.01");
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, "{\"tenantId\":\"" + t.id() + "\", not json")).get();
            p.send(new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, "{\"tenantId\":\"" + t.id() + "\"}")).get();
        }
        publish(t, customerId, 1, "300", 3, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count("select count(*) from usage_snapshot where tenant_id = ?", t.id()) == 0) {
            assertThat(System.nanoTime()).as("the good snapshot stored behind the bad ones").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(count("select count(*) from rejected_record where record_value like '%' || ? || '%'", t.id())).isEqualTo(2);
    }

    @Test
    void keysAreListedWithoutSecretsRevocableAndTheirUseIsRecorded() throws Exception {
        Tenant t = tenant();
        Tenant other = tenant();
        var created = post(t, "/v1/api-keys", "{\"scope\":\"read\"}").statusCode(201).extract().jsonPath();
        String readKey = created.getString("key");
        String keyId = created.getString("keyId");
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/nobody/invoices/draft").then().statusCode(404);

        var list = given().header("Authorization", "Bearer " + t.key()).get("/v1/api-keys").then().statusCode(200).extract();
        assertThat(list.asString()).doesNotContain(readKey).doesNotContain("sha256").doesNotContain("tly_");
        assertThat(list.jsonPath().getList("keyId")).contains(keyId);
        assertThat(list.jsonPath().getString("find { it.keyId == '" + keyId + "' }.lastUsedAt")).isNotNull();

        given().header("Authorization", "Bearer " + other.key()).delete("/v1/api-keys/" + keyId).then().statusCode(404);
        given().header("Authorization", "Bearer " + t.key()).delete("/v1/api-keys/" + keyId).then().statusCode(200)
                .body("revokedAt", Matchers.notNullValue());
        given().header("Authorization", "Bearer " + readKey).get("/v1/customers/nobody/invoices/draft").then().statusCode(401);
        given().header("Authorization", "Bearer " + t.key()).delete("/v1/api-keys/" + keyId).then().statusCode(409);
        // ingest learns of the revocation from the catalog topic
        assertThat(count("select count(*) from outbox, unnest(payloads) as u(p) where p like '%\"revoked\":true%' and p like ?",
                "%" + keyId + "%")).isEqualTo(1);
    }

    @Test
    void everyCatalogChangeIsInAHashChainedAuditTrailThatDetectsTampering() throws Exception {
        Tenant t = tenant();
        String customerId = setUpCustomer(t, "0.01");
        var trail = given().header("Authorization", "Bearer " + t.key()).get("/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(trail.getList("entries.entityType"))
                .containsExactly("tenant", "api_key", "meter", "plan", "plan_version", "plan_version", "customer", "subscription");
        assertThat(trail.getList("entries.action")).containsExactly("create", "create", "create", "create", "create", "publish", "create", "create");
        assertThat(trail.getList("entries.actor")).startsWith("operator", "operator").last().asString().startsWith("key:");
        assertThat(trail.getBoolean("chainIntact")).isTrue();
        given().header("Authorization", "Bearer " + t.key()).queryParam("entityType", "customer").queryParam("entityId", customerId)
                .get("/v1/audit").then().statusCode(200).body("entries", hasSize(1)).body("entries[0].action", equalTo("create"));

        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                "update audit_log set after_json = replace(after_json, '0.01', '0.001') where tenant_id = ? and entity_type = 'plan_version'"
                        + " and action = 'create'")) {
            ps.setString(1, t.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        given().header("Authorization", "Bearer " + t.key()).get("/v1/audit").then().statusCode(200)
                .body("chainIntact", equalTo(false)).body("firstBreak", equalTo(5));
    }

    @Test
    void aliasesAttributeTrafficAndAConflictingAliasIsRefusedNamingItsField() throws Exception {
        Tenant t = tenant();
        setUpCustomer(t, "0.01");
        String keyId = post(t, "/v1/api-keys", "{\"scope\":\"ingest\"}").statusCode(201).extract().path("keyId");
        post(t, "/v1/customers", """
                {"externalId":"bigcorp","name":"Big Corp","plan":"pro","taxRegion":"DE",
                 "aliases":{"externalIds":["bigcorp-legacy"],"cidrs":["10.9.9.9/8","2001:db8::/32"],
                            "apiKeyIds":["%s"],"hostnames":["Edge.BigCorp.example"]}}""".formatted(keyId)).statusCode(201);
        long before = count("select count(*) from customer where tenant_id = ?", t.id());

        post(t, "/v1/customers", "{\"externalId\":\"x1\",\"name\":\"X\",\"plan\":\"pro\",\"aliases\":{\"cidrs\":[\"10.0.0.0/8\"]}}")
                .statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/alias-conflict")).body("field", equalTo("aliases.cidrs[0]"))
                .body("detail", Matchers.containsString("bigcorp"));
        post(t, "/v1/customers", "{\"externalId\":\"x2\",\"name\":\"X\",\"plan\":\"pro\",\"aliases\":{\"externalIds\":[\"acme\"]}}")
                .statusCode(409).body("field", equalTo("aliases.externalIds[0]"));
        post(t, "/v1/customers", "{\"externalId\":\"bigcorp-legacy\",\"name\":\"X\",\"plan\":\"pro\"}")
                .statusCode(409).body("field", equalTo("externalId"));
        post(t, "/v1/customers", "{\"externalId\":\"x3\",\"name\":\"X\",\"plan\":\"pro\",\"aliases\":{\"cidrs\":[\"10.0.0.0/7\",\"300.1.1.1/8\"]}}")
                .statusCode(400).body("field", equalTo("aliases.cidrs[1]"));
        post(t, "/v1/customers", "{\"externalId\":\"x4\",\"name\":\"X\",\"plan\":\"pro\",\"aliases\":{\"apiKeyIds\":[\"nope\"]}}")
                .statusCode(400).body("field", equalTo("aliases.apiKeyIds[0]"));
        post(t, "/v1/customers", "{\"externalId\":\"x5\",\"name\":\"X\",\"plan\":\"pro\",\"aliases\":{\"hostnames\":[\"a\",\"A\"]}}")
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/duplicate-alias"));
        assertThat(count("select count(*) from customer where tenant_id = ?", t.id())).isEqualTo(before);

        // a range nested inside bigcorp's /8 belongs to its own customer: longest prefix wins at ingest
        post(t, "/v1/customers", "{\"externalId\":\"subsidiary\",\"name\":\"Sub\",\"plan\":\"pro\",\"aliases\":{\"cidrs\":[\"10.1.0.0/16\"]}}")
                .statusCode(201);
        assertThat(count("select count(*) from outbox, unnest(payloads) as u(p) where p like '%\"cidrs\":[\"10.0.0.0/8\",\"2001:db8:0:0:0:0:0:0/32\"]%' and p like ?",
                "%" + t.id() + "%")).isEqualTo(1);
    }

    @Test
    void anotherTenantCannotSeeTheCustomer() {
        Tenant a = tenant();
        setUpCustomer(a, "1");
        Tenant b = tenant();
        given().header("Authorization", "Bearer " + b.key()).get("/v1/customers/acme/invoices/draft")
                .then().statusCode(404).contentType("application/problem+json");
    }

    private void publish(Tenant t, String customerId, long version, String quantity, long events, String traceparent) throws Exception {
        RatedUsageV1 s = new RatedUsageV1(t.id(), customerId, "bandwidth", Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"), new BigDecimal(quantity), events, version, NOV, null);
        try (Producer<String, String> p = kafka.producer("test-rating")) {
            ProducerRecord<String, String> r = new ProducerRecord<>(Topics.USAGE_RATED, t.id() + "/" + customerId, json.writeValueAsString(s));
            if (traceparent != null) {
                r.headers().add(Headers.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            }
            p.send(r).get();
        }
    }

    private Connection connection() throws Exception {
        return dataSource.getConnection();
    }

    private long count(String sql, String tenant) throws Exception {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
