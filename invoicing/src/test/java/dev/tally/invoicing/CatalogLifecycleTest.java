package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Plan versions, subscriptions, migrations, meter changes, bulk import and admin users, against real Postgres. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CatalogLifecycleTest {
    private static final String OPERATOR = "test-operator-token";
    private static final String PRO_V1 = """
            {"key":"pro","name":"Pro","currency":"USD","charges":[{"meter":"requests","price":{"model":"per_unit","unitPrice":"0.001"}}]}""";
    private static final String PRO_V2 = """
            {"name":"Pro 2027","currency":"USD","charges":[{"meter":"requests","price":{"model":"graduated","tiers":[
              {"upTo":"1000","unitPrice":"0"},{"unitPrice":"0.002"}]}}]}""";

    @Inject
    DataSource dataSource;

    record Tenant(String id, String key) {
    }

    private static Tenant tenant() {
        JsonPath r = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"name\":\"T\"}")
                .post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        return new Tenant(r.getString("tenantId"), r.getString("apiKey.key"));
    }

    private static ValidatableResponse send(Tenant t, String method, String path, String body) {
        var spec = given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON);
        if (body != null) {
            spec = spec.body(body);
        }
        return spec.request(method, path).then();
    }

    private static Tenant withProPlan() {
        Tenant t = tenant();
        send(t, "POST", "/v1/meters", "{\"key\":\"requests\",\"eventType\":\"request\",\"aggregation\":\"COUNT\"}").statusCode(201);
        send(t, "POST", "/v1/plans?publish=true", PRO_V1).statusCode(201).body("version", equalTo(1));
        return t;
    }

    private static String customer(Tenant t, String externalId, String start) {
        return send(t, "POST", "/v1/customers", """
                {"externalId":"%s","name":"%s","plan":"pro","subscriptionStart":"%s"}""".formatted(externalId, externalId, start))
                .statusCode(201).extract().path("subscriptionId");
    }

    @Test
    void aPublishedVersionIsImmutableEvenToTheDatabaseAndDraftsCannotBeSubscribed() throws Exception {
        Tenant t = withProPlan();
        send(t, "PUT", "/v1/plans/pro/versions/1", PRO_V2).statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/version-published")).body("field", equalTo("version"));
        // a draft v2 can be edited, then published
        send(t, "POST", "/v1/plans/pro/versions", PRO_V1.replace("\"key\":\"pro\",", "")).statusCode(201)
                .body("version", equalTo(2)).body("status", equalTo("draft"));
        send(t, "PUT", "/v1/plans/pro/versions/2", PRO_V2).statusCode(200).body("spec.charges[0].price.model", equalTo("graduated"));
        send(t, "POST", "/v1/customers", "{\"externalId\":\"d\",\"name\":\"D\",\"plan\":\"pro\",\"planVersion\":2}").statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/version-not-published")).body("field", equalTo("planVersion"));
        send(t, "POST", "/v1/plans/pro/versions", PRO_V2.replace("USD", "EUR")).statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/currency-change")).body("field", equalTo("currency"));
        send(t, "POST", "/v1/plans/pro/versions", PRO_V2.replace("requests", "nope")).statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/unknown-meter")).body("field", equalTo("charges[0].meter"));
        send(t, "POST", "/v1/plans/pro/versions", """
                {"currency":"USD","name":"Pct","charges":[{"meter":"requests","price":{"model":"percentage","ratePercent":"2.9"}}]}""")
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/percentage-needs-sum")).body("field", equalTo("charges[0].price.model"));
        send(t, "POST", "/v1/plans/pro/versions/2/publish", null).statusCode(200).body("status", equalTo("published"));
        send(t, "POST", "/v1/plans/pro/versions/2/publish", null).statusCode(409);
        send(t, "GET", "/v1/plans/pro", null).statusCode(200).body("versions.status", equalTo(List.of("published", "published")))
                .body("name", equalTo("Pro 2027"));
        assertThat(count("select count(*) from plan_version where tenant_id = ?", t.id())).isEqualTo(2);

        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update plan_version set spec_json = '{}' where tenant_id = ? and version = 1")) {
            ps.setString(1, t.id());
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("is published and cannot change");
        }
        var trail = send(t, "GET", "/v1/audit?entityType=plan_version&entityId=pro/2", null).statusCode(200).extract().jsonPath();
        assertThat(trail.getList("entries.action")).containsExactly("create", "update", "publish");
    }

    @Test
    void aMigrationMovesEverySubscriptionItCanAndSaysWhyItSkippedTheRest() throws Exception {
        Tenant t = withProPlan();
        send(t, "POST", "/v1/plans?publish=true", PRO_V1.replace("\"pro\"", "\"basic\"").replace("Pro", "Basic")).statusCode(201);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String start = now.minus(1, ChronoUnit.DAYS).toString();
        String a = customer(t, "a", start);
        String b = customer(t, "b", start);
        String c = customer(t, "c", start);
        Instant migrateAt = now.plus(5, ChronoUnit.DAYS);
        // c moves to basic before the migration date, d after it: both are told apart from a and b
        send(t, "POST", "/v1/subscriptions/" + c + "/changes", "{\"plan\":\"basic\",\"effectiveAt\":\"%s\"}"
                .formatted(now.plus(2, ChronoUnit.DAYS))).statusCode(200).body("phases", hasSize(2));
        String d = customer(t, "d", start);
        send(t, "POST", "/v1/subscriptions/" + d + "/changes", "{\"plan\":\"basic\",\"effectiveAt\":\"%s\"}"
                .formatted(now.plus(9, ChronoUnit.DAYS))).statusCode(200);

        send(t, "POST", "/v1/plans/pro/versions/2/migrations", "{\"effectiveAt\":\"%s\"}".formatted(migrateAt)).statusCode(404)
                .body("type", equalTo("https://tally.dev/problems/unknown-plan-version"));
        send(t, "POST", "/v1/plans/pro/versions?publish=true", PRO_V2).statusCode(201).body("version", equalTo(2));
        send(t, "POST", "/v1/plans/pro/versions/2/migrations", "{\"effectiveAt\":\"%s\"}".formatted(now.minus(1, ChronoUnit.DAYS)))
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/retroactive-change"));
        JsonPath m = send(t, "POST", "/v1/plans/pro/versions/2/migrations", "{\"effectiveAt\":\"%s\"}".formatted(migrateAt))
                .statusCode(200).body("migrated", equalTo(2)).body("skipped", equalTo(2)).extract().jsonPath();
        Map<String, String> outcome = new HashMap<>();
        Map<String, String> reason = new HashMap<>();
        for (Map<String, String> s : m.<Map<String, String>>getList("subscriptions")) {
            outcome.put(s.get("subscriptionId"), s.get("outcome"));
            reason.put(s.get("subscriptionId"), s.get("reason"));
        }
        assertThat(outcome).containsEntry(a, "migrated").containsEntry(b, "migrated").containsEntry(c, "skipped").containsEntry(d, "skipped");
        assertThat(reason.get(c)).contains("on plan 'basic'");
        assertThat(reason.get(d)).contains("has a change scheduled");

        send(t, "GET", "/v1/subscriptions/" + a, null).statusCode(200)
                .body("phases.reason", equalTo(List.of("START", "MIGRATION"))).body("phases[1].planVersion", equalTo(2))
                .body("phases[1].migrationId", equalTo(m.getString("migrationId"))).body("current.planVersion", equalTo(1));
        // a draft previews the invoice: priced, as the close will, by the version in force at its period's last instant
        send(t, "GET", "/v1/customers/a/invoices/draft?at=" + migrateAt.plus(1, ChronoUnit.DAYS), null).statusCode(200)
                .body("planVersion", equalTo(2)).body("lines[0].priceModel", equalTo("graduated"));
        BillingPeriod current = BillingPeriod.calendarMonthOf(now);
        send(t, "GET", "/v1/customers/a/invoices/draft?at=" + now, null).statusCode(200)
                .body("planVersion", equalTo(migrateAt.isBefore(current.end()) ? 2 : 1))
                .body("pricedAt", equalTo(current.lastInstant().toString()));

        var trail = send(t, "GET", "/v1/audit?entityType=plan_migration", null).statusCode(200).extract().jsonPath();
        assertThat(trail.getList("entries")).hasSize(1);
        assertThat(trail.getString("entries[0].after")).contains(c).contains("skipped").contains("has a change scheduled");
        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'subscription' and action = 'migrate'", t.id()))
                .isEqualTo(2);
    }

    @Test
    void subscriptionsNeverOverlapAndChangesNeverRewriteThePast() throws Exception {
        Tenant t = withProPlan();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String s = customer(t, "acme", now.minus(3, ChronoUnit.DAYS).toString());
        send(t, "POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"%s\"}".formatted(now.plus(1, ChronoUnit.DAYS)))
                .statusCode(409).body("type", equalTo("https://tally.dev/problems/subscription-overlap")).body("field", equalTo("start"))
                .body("detail", containsString(s));
        send(t, "POST", "/v1/subscriptions/" + s + "/changes", "{\"plan\":\"pro\",\"effectiveAt\":\"%s\"}".formatted(now.minus(2, ChronoUnit.DAYS)))
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/retroactive-change")).body("field", equalTo("effectiveAt"));
        // no plan named: the plan in force then, at its latest published version
        send(t, "POST", "/v1/subscriptions/" + s + "/changes", "{\"effectiveAt\":\"%s\"}".formatted(now.plus(2, ChronoUnit.DAYS)))
                .statusCode(200).body("phases", hasSize(2)).body("phases[1].planKey", equalTo("pro")).body("phases[1].reason", equalTo("CHANGE"));
        send(t, "POST", "/v1/subscriptions", "{\"customer\":\"nobody\",\"plan\":\"pro\"}").statusCode(400).body("field", equalTo("customer"));
        send(t, "POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"billingCycle\":{\"interval\":\"WEEKLY\"}}")
                .statusCode(400).body("field", equalTo("billingCycle.interval"));
        send(t, "POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"yesterday\"}")
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("start"));

        Instant end = now.plus(30, ChronoUnit.DAYS);
        send(t, "POST", "/v1/subscriptions/" + s + "/cancel", "{\"at\":\"%s\"}".formatted(end)).statusCode(200).body("end", equalTo(end.toString()));
        send(t, "POST", "/v1/subscriptions", """
                {"customer":"acme","plan":"pro","start":"%s","billingCycle":{"interval":"ANNUAL"},"trialEnd":"%s"}"""
                .formatted(end, end.plus(14, ChronoUnit.DAYS))).statusCode(201)
                .body("billingCycle.interval", equalTo("ANNUAL")).body("current", nullValue());
        send(t, "GET", "/v1/subscriptions?customer=acme", null).statusCode(200).body("", hasSize(2));

        // another tenant sees none of it
        Tenant other = tenant();
        send(other, "GET", "/v1/subscriptions/" + s, null).statusCode(404);
        send(other, "POST", "/v1/subscriptions/" + s + "/cancel", "{}").statusCode(404);
        send(other, "GET", "/v1/plans/pro/versions/1", null).statusCode(404);
        send(other, "GET", "/v1/customers/acme", null).statusCode(404);
        send(other, "POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}").statusCode(400).body("field", equalTo("customer"));
        assertThat(count("select count(*) from subscription where tenant_id = ?", other.id())).isZero();
    }

    @Test
    void metersTakeFiltersAndGroupByButWhatAPublishedPriceMeansCannotChange() throws Exception {
        Tenant t = withProPlan();
        send(t, "POST", "/v1/meters", """
                {"key":"egress","eventType":"request","aggregation":"SUM","property":"bytes_out",
                 "filters":[{"property":"region","op":"in","values":["eu","us"]}],"groupBy":["region"]}""").statusCode(201)
                .body("filters[0].op", equalTo("in")).body("groupBy", equalTo(List.of("region")));
        send(t, "POST", "/v1/meters", """
                {"key":"x","eventType":"request","aggregation":"COUNT","filters":[{"property":"region","op":"like","values":["e%"]}]}""")
                .statusCode(400).body("type", equalTo("https://tally.dev/problems/invalid-filter")).body("field", equalTo("filters[0].op"));
        send(t, "POST", "/v1/meters", "{\"key\":\"y\",\"eventType\":\"request\",\"aggregation\":\"COUNT\",\"groupBy\":[\"a\",\"a\"]}")
                .statusCode(400).body("field", equalTo("groupBy[1]"));
        // not in a published plan: may change what it counts
        send(t, "PATCH", "/v1/meters/egress", "{\"filters\":[{\"property\":\"region\",\"op\":\"equals\",\"values\":[\"eu\"]}]}").statusCode(200)
                .body("filters[0].values", equalTo(List.of("eu"))).body("aggregation", equalTo("SUM"));
        // charged by pro v1 (published): only the description may change
        send(t, "PATCH", "/v1/meters/requests", "{\"aggregation\":\"SUM\",\"property\":\"n\"}").statusCode(409)
                .body("type", equalTo("https://tally.dev/problems/meter-in-use")).body("detail", containsString("pro v1"));
        send(t, "PATCH", "/v1/meters/requests", "{\"description\":\"API requests\"}").statusCode(200).body("description", equalTo("API requests"));
        send(t, "GET", "/v1/meters/requests", null).statusCode(200).body("aggregation", equalTo("COUNT"));
        assertThat(count("select count(*) from outbox, unnest(payloads) as u(p) where p like '%\"filters\":[{\"property\":\"region\",\"op\":\"equals\"%' and p like ?",
                "%" + t.id() + "%")).isEqualTo(1);
    }

    @Test
    void customersCanBeUpdatedWithoutStealingAliases() {
        Tenant t = withProPlan();
        customer(t, "acme", Instant.now().toString());
        send(t, "POST", "/v1/customers", "{\"externalId\":\"globex\",\"name\":\"Globex\",\"currency\":\"USD\",\"aliases\":{\"hostnames\":[\"globex.example\"]}}")
                .statusCode(201).body("subscriptionId", nullValue());
        send(t, "PATCH", "/v1/customers/acme", "{\"name\":\"Acme Corp\",\"taxRegion\":\"us-ca\",\"aliases\":{\"cidrs\":[\"192.0.2.0/24\"]}}")
                .statusCode(200).body("name", equalTo("Acme Corp")).body("taxRegion", equalTo("US-CA")).body("aliases.cidrs[0]", equalTo("192.0.2.0/24"));
        send(t, "PATCH", "/v1/customers/acme", "{\"aliases\":{\"hostnames\":[\"GLOBEX.example\"]}}").statusCode(409)
                .body("field", equalTo("aliases.hostnames[0]")).body("detail", containsString("globex"));
        send(t, "PATCH", "/v1/customers/acme", "{\"currency\":\"EUR\"}").statusCode(400).body("field", equalTo("currency"));
        send(t, "PATCH", "/v1/customers/acme", "{\"billingEmail\":\"not an email\"}").statusCode(400).body("field", equalTo("billingEmail"));
        send(t, "GET", "/v1/customers", null).statusCode(200).body("externalId", equalTo(List.of("acme", "globex")))
                .body("[0].subscriptionId", Matchers.startsWith("sub_"));
        send(t, "GET", "/v1/customers?after=acme&limit=1", null).statusCode(200).body("externalId", equalTo(List.of("globex")));
        // the refused patches changed nothing
        send(t, "GET", "/v1/customers/acme", null).statusCode(200).body("aliases.cidrs", equalTo(List.of("192.0.2.0/24")))
                .body("aliases.hostnames", hasSize(0)).body("billingEmail", nullValue());
    }

    @Test
    void bulkImportReportsEveryRowAndWritesOnlyTheGoodOnes() throws Exception {
        Tenant t = withProPlan();
        customer(t, "existing", Instant.now().toString());
        send(t, "PATCH", "/v1/customers/existing", "{\"aliases\":{\"cidrs\":[\"10.0.0.0/8\"]}}").statusCode(200);
        String csv = """
                externalId,name,currency,plan,aliases.cidrs,aliases.hostnames
                c1,"Acme, Inc.",,pro,192.0.2.0/24,api.acme.example
                c2,Globex,EUR,,,
                c1,Duplicate,,pro,,
                c3,Bad currency,XYZ,,,
                c4,Steals a range,,pro,10.1.0.0/16;10.0.0.0/8,
                c5,"Quote ""the"" name",USD,,,
                """;
        JsonPath dry = given().header("Authorization", "Bearer " + t.key()).contentType("text/csv").body(csv)
                .post("/v1/customers/import?dryRun=true").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getInt("created")).isEqualTo(3);
        assertThat(count("select count(*) from customer where tenant_id = ?", t.id())).isEqualTo(1);

        JsonPath report = given().header("Authorization", "Bearer " + t.key()).contentType("text/csv").body(csv)
                .post("/v1/customers/import").then().statusCode(200).extract().jsonPath();
        assertThat(report.getInt("rows")).isEqualTo(6);
        assertThat(report.getList("results.outcome")).containsExactly("created", "created", "rejected", "rejected", "rejected", "created");
        assertThat(report.getString("results[2].error.type")).endsWith("/customer-exists");
        assertThat(report.getString("results[3].error.field")).isEqualTo("currency");
        assertThat(report.getString("results[4].error.field")).isEqualTo("aliases.cidrs[1]");
        assertThat(report.getString("results[0].subscriptionId")).startsWith("sub_");
        assertThat(count("select count(*) from customer where tenant_id = ?", t.id())).isEqualTo(4);
        // the rejected row c4 left none of its aliases (10.1.0.0/16 came before the conflict)
        assertThat(count("select count(*) from customer_alias where tenant_id = ? and value = '10.1.0.0/16'", t.id())).isZero();
        send(t, "GET", "/v1/customers/c5", null).statusCode(200).body("name", equalTo("Quote \"the\" name"));
        send(t, "GET", "/v1/customers/c1", null).statusCode(200).body("name", equalTo("Acme, Inc."))
                .body("aliases.hostnames", equalTo(List.of("api.acme.example")));

        String jsonl = "{\"externalId\":\"j1\",\"name\":\"J1\",\"plan\":\"pro\"}\n{not json\n{\"externalId\":\"j2\",\"name\":\"J2\",\"planVersion\":\"x\"}\n";
        given().header("Authorization", "Bearer " + t.key()).contentType("application/x-ndjson")
                .body(jsonl.getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import").then().statusCode(200)
                .body("results.outcome", equalTo(List.of("created", "rejected", "rejected")))
                .body("results[1].error.type", equalTo("https://tally.dev/problems/malformed-row"))
                .body("results[2].error.field", equalTo("planVersion"));
        given().header("Authorization", "Bearer " + t.key()).contentType("text/csv").body("externalId,colour\nx,red\n")
                .post("/v1/customers/import").then().statusCode(400).body("field", equalTo("header[1]"));
    }

    @Test
    void thousandsOfCustomersImportInOneRequest() throws Exception {
        Tenant t = withProPlan();
        StringBuilder csv = new StringBuilder("externalId,name,plan,aliases.cidrs\n");
        int rows = 2000;
        for (int i = 0; i < rows; i++) {
            csv.append("bulk-").append(i).append(",Customer ").append(i).append(",pro,10.").append(i / 256).append('.').append(i % 256)
                    .append(".0/24\n");
        }
        long started = System.nanoTime();
        given().header("Authorization", "Bearer " + t.key()).contentType("text/csv").body(csv.toString())
                .post("/v1/customers/import").then().statusCode(200).body("created", equalTo(rows)).body("rejected", equalTo(0));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("bulk import: %d customers with subscriptions and aliases in %.2f s (%.0f rows/s)%n", rows, seconds, rows / seconds);
        assertThat(count("select count(*) from customer where tenant_id = ?", t.id())).isEqualTo(rows);
        assertThat(count("select count(*) from subscription where tenant_id = ?", t.id())).isEqualTo(rows);
    }

    @Test
    void adminUsersHaveRolesAndTheirActionsAreAudited() throws Exception {
        JsonPath viewer = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"email\":\"Viewer-%s@tally.example\",\"role\":\"viewer\"}".formatted(System.nanoTime())).post("/v1/admin/users")
                .then().statusCode(201).extract().jsonPath();
        JsonPath op = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"email\":\"op-%s@tally.example\",\"role\":\"operator\"}".formatted(System.nanoTime())).post("/v1/admin/users")
                .then().statusCode(201).extract().jsonPath();
        String viewerToken = viewer.getString("token");
        String opToken = op.getString("token");
        assertThat(viewerToken).startsWith("tad_");
        assertThat(viewer.getString("email")).startsWith("viewer-");

        given().header("Authorization", "Bearer " + viewerToken).get("/v1/admin/tenants").then().statusCode(200);
        given().header("Authorization", "Bearer " + viewerToken).get("/v1/admin/whoami").then().statusCode(200)
                .body("role", equalTo("viewer")).body("actor", equalTo("user:" + viewer.getString("userId")));
        given().header("Authorization", "Bearer " + viewerToken).contentType(ContentType.JSON).body("{\"name\":\"x\"}")
                .post("/v1/admin/tenants").then().statusCode(403).contentType("application/problem+json");
        String tenantId = given().header("Authorization", "Bearer " + opToken).contentType(ContentType.JSON).body("{\"name\":\"By user\"}")
                .post("/v1/admin/tenants").then().statusCode(201).extract().path("tenantId");
        given().header("Authorization", "Bearer " + viewerToken).get("/v1/admin/tenants/" + tenantId + "/audit").then().statusCode(200)
                .body("entries[0].actor", equalTo("user:" + op.getString("userId"))).body("chainIntact", equalTo(true));
        given().header("Authorization", "Bearer " + opToken).contentType(ContentType.JSON)
                .body("{\"email\":\"x@tally.example\",\"role\":\"superuser\"}").post("/v1/admin/users").then().statusCode(400)
                .body("field", equalTo("role"));
        // an admin token acts in a tenant only when it names one (the console does), with its role's rights there;
        // a tenant key is not an admin token
        given().header("Authorization", "Bearer " + opToken).get("/v1/meters").then().statusCode(400)
                .body("type", equalTo("https://tally.dev/problems/tenant-required")).body("field", equalTo("Tally-Tenant"));
        given().header("Authorization", "Bearer " + opToken).header("Tally-Tenant", "ten_nosuchtenant").get("/v1/meters").then().statusCode(404);
        Tenant t = tenant();
        given().header("Authorization", "Bearer " + opToken).header("Tally-Tenant", t.id()).get("/v1/meters").then().statusCode(200);
        given().header("Authorization", "Bearer " + viewerToken).header("Tally-Tenant", t.id()).get("/v1/meters").then().statusCode(200);
        given().header("Authorization", "Bearer " + viewerToken).header("Tally-Tenant", t.id()).contentType(ContentType.JSON)
                .body("{\"key\":\"v\",\"eventType\":\"v\",\"aggregation\":\"COUNT\"}").post("/v1/meters").then().statusCode(403);
        given().header("Authorization", "Bearer " + opToken).header("Tally-Tenant", t.id()).contentType(ContentType.JSON)
                .body("{\"key\":\"by-user\",\"eventType\":\"v\",\"aggregation\":\"COUNT\"}").post("/v1/meters").then().statusCode(201);
        given().header("Authorization", "Bearer " + t.key()).get("/v1/audit?entityType=meter&entityId=by-user").then().statusCode(200)
                .body("entries[0].actor", equalTo("user:" + op.getString("userId")));
        given().header("Authorization", "Bearer " + t.key()).get("/v1/meters/v").then().statusCode(404);
        given().header("Authorization", "Bearer " + t.key()).get("/v1/admin/tenants").then().statusCode(401);

        given().header("Authorization", "Bearer " + opToken).delete("/v1/admin/users/" + viewer.getString("userId")).then().statusCode(200);
        given().header("Authorization", "Bearer " + viewerToken).get("/v1/admin/tenants").then().statusCode(401);
        var platform = given().header("Authorization", "Bearer " + opToken).get("/v1/admin/audit").then().statusCode(200).extract().jsonPath();
        assertThat(platform.getBoolean("chainIntact")).isTrue();
        assertThat(platform.getList("entries.action")).contains("disable");
        assertThat(given().header("Authorization", "Bearer " + opToken).get("/v1/admin/users").asString()).doesNotContain("tad_");
    }

    @Test
    void theCatalogApiIsDescribedInOpenApi() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.keySet()", hasItems("/v1/plans", "/v1/plans/{key}/versions/{version}/migrations", "/v1/subscriptions",
                        "/v1/subscriptions/{id}/changes", "/v1/customers/import", "/v1/customers/{externalId}", "/v1/meters/{key}",
                        "/v1/admin/users"));
    }

    /** Limits per customer and meter: validated, audited and announced on the catalog topic; another tenant's customer is 404. */
    @Test
    void limitsAreValidatedAuditedAndPublished() throws Exception {
        Tenant t = withProPlan();
        customer(t, "acme", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString());
        send(t, "PUT", "/v1/customers/acme/limits/requests", "{\"limit\":1000}").statusCode(200)
                .body("limit", equalTo("1000")).body("hard", equalTo(true)).body("alertAt", Matchers.contains(50, 80, 100));
        send(t, "PUT", "/v1/customers/acme/limits/requests", "{\"limit\":\"2500.5\",\"hard\":false,\"alertAt\":[90,75,90]}").statusCode(200)
                .body("limit", equalTo("2500.5")).body("hard", equalTo(false)).body("alertAt", Matchers.contains(75, 90));
        send(t, "GET", "/v1/customers/acme/limits", null).statusCode(200).body("size()", equalTo(1)).body("[0].meter", equalTo("requests"));
        send(t, "PUT", "/v1/customers/acme/limits/requests", "{\"limit\":0}").statusCode(400).body("field", equalTo("limit"));
        send(t, "PUT", "/v1/customers/acme/limits/requests", "{\"limit\":10,\"alertAt\":[150]}").statusCode(400)
                .body("field", equalTo("alertAt"));
        send(t, "PUT", "/v1/customers/acme/limits/requests", "{}").statusCode(400).body("field", equalTo("limit"));
        send(t, "PUT", "/v1/customers/acme/limits/nope", "{\"limit\":10}").statusCode(404);
        Tenant other = withProPlan();
        send(other, "PUT", "/v1/customers/acme/limits/requests", "{\"limit\":10}").statusCode(404);
        send(other, "DELETE", "/v1/customers/acme/limits/requests", null).statusCode(404);

        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'limit'", t.id())).isEqualTo(2);
        assertThat(count("""
                select count(*) from outbox, unnest(payloads) p where topic = 'tally.catalog' and p like '%"kind":"LIMIT"%'
                  and p like '%' || ? || '%'""", t.id())).isEqualTo(2);
        send(t, "DELETE", "/v1/customers/acme/limits/requests", null).statusCode(204);
        send(t, "DELETE", "/v1/customers/acme/limits/requests", null).statusCode(404);
        send(t, "GET", "/v1/customers/acme/limits", null).statusCode(200).body("size()", equalTo(0));
        assertThat(count("""
                select count(*) from outbox, unnest(payloads) p where topic = 'tally.catalog' and p like '%"deleted":true%'
                  and p like '%' || ? || '%'""", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'limit'", t.id())).isEqualTo(3);
    }

    /** A spend budget in the customer's currency: validated, audited, published as a LIMIT on "$spend". */
    @Test
    void aSpendBudgetIsValidatedAuditedAndPublished() throws Exception {
        Tenant t = withProPlan();
        customer(t, "acme", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString());
        send(t, "GET", "/v1/customers/acme/budget", null).statusCode(404);
        send(t, "PUT", "/v1/customers/acme/budget", "{\"amount\":\"250.00\",\"alertAt\":[80,50]}").statusCode(200)
                .body("amount", equalTo("250")).body("currency", equalTo("USD")).body("alertAt", Matchers.contains(50, 80));
        send(t, "PUT", "/v1/customers/acme/budget", "{\"amount\":\"0.001\"}").statusCode(400).body("field", equalTo("amount"));
        send(t, "PUT", "/v1/customers/acme/budget", "{\"amount\":-5}").statusCode(400).body("field", equalTo("amount"));
        send(t, "PUT", "/v1/customers/acme/budget", "{\"amount\":5,\"alertAt\":[0]}").statusCode(400).body("field", equalTo("alertAt"));
        send(t, "GET", "/v1/customers/acme/budget", null).statusCode(200).body("amount", equalTo("250"));
        assertThat(count("""
                select count(*) from outbox, unnest(payloads) p where topic = 'tally.catalog' and p like '%"meterKey":"$spend"%'
                  and p like '%' || ? || '%'""", t.id())).isEqualTo(1);
        Tenant other = withProPlan();
        send(other, "GET", "/v1/customers/acme/budget", null).statusCode(404);
        send(t, "DELETE", "/v1/customers/acme/budget", null).statusCode(204);
        send(t, "GET", "/v1/customers/acme/budget", null).statusCode(404);
        assertThat(count("select count(*) from audit_log where tenant_id = ? and entity_type = 'budget'", t.id())).isEqualTo(2);
    }

    private long count(String sql, String tenant) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
