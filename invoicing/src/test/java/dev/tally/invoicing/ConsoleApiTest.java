package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * What the console reads from invoicing: customer search (external id, name, alias, IP with the longest prefix first),
 * sorted and paged on the server and scoped to the caller's tenant; the audit trail paged; the operators' overview.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ConsoleApiTest {
    private static final String OPERATOR = "test-operator-token";

    record Tenant(String id, String key) {
    }

    private static Tenant tenant(String name) {
        JsonPath r = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        return new Tenant(r.getString("tenantId"), r.getString("apiKey.key"));
    }

    private static void customer(Tenant t, String externalId, String name, String aliases) {
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"externalId\":\"" + externalId + "\",\"name\":\"" + name + "\",\"currency\":\"USD\",\"aliases\":" + aliases + "}")
                .post("/v1/customers").then().statusCode(201);
    }

    private static JsonPath search(Tenant t, String query) {
        return given().header("Authorization", "Bearer " + t.key()).get("/v1/search/customers" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void customersAreFoundByExternalIdNameAliasAndIpLongestPrefixFirstWithinTheTenant() {
        Tenant t = tenant("Search");
        customer(t, "acme", "Acme Tunnels", "{\"cidrs\":[\"203.0.113.0/24\"],\"hostnames\":[\"edge.acme.example\"]}");
        customer(t, "wide", "Wide ISP", "{\"cidrs\":[\"203.0.0.0/16\"]}");
        customer(t, "beta_1", "Beta 100% Co", "{\"externalIds\":[\"legacy-77\"]}");
        customer(t, "betaX1", "Gamma", "{}");
        Tenant other = tenant("Other");
        customer(other, "acme-other", "Acme Elsewhere", "{\"cidrs\":[\"203.0.113.0/25\"]}");

        JsonPath byId = search(t, "?q=ACM");
        assertThat(byId.getList("customers.externalId")).containsExactly("acme");
        assertThat(byId.getString("customers[0].matchedBy")).isEqualTo("externalId");
        assertThat(search(t, "?q=tunnel").getString("customers[0].matchedBy")).isEqualTo("name");
        assertThat(search(t, "?q=edge.acme").getList("customers.matchedBy")).containsExactly("alias:hostname");
        assertThat(search(t, "?q=legacy").getList("customers.externalId")).containsExactly("beta_1");
        // LIKE's wildcards are searched for as themselves
        assertThat(given().header("Authorization", "Bearer " + t.key()).queryParam("q", "100%").get("/v1/search/customers").then().statusCode(200)
                .extract().jsonPath().getList("customers.externalId")).containsExactly("beta_1");
        assertThat(search(t, "?q=beta_").getList("customers.externalId")).containsExactly("beta_1"); // not betaX1

        JsonPath ip = search(t, "?ip=203.0.113.7");
        assertThat(ip.getList("customers.externalId")).containsExactly("acme", "wide"); // the /24 before the /16, never the other tenant's /25
        assertThat(ip.getString("customers[0].matchedBy")).isEqualTo("cidr:203.0.113.0/24");
        assertThat(search(t, "?ip=198.51.100.1").getList("customers")).isEmpty();
        given().header("Authorization", "Bearer " + t.key()).get("/v1/search/customers?ip=203.0.113.999").then().statusCode(400)
                .body("field", equalTo("ip"));
        given().header("Authorization", "Bearer " + t.key()).get("/v1/search/customers?sort=secret").then().statusCode(400)
                .body("field", equalTo("sort"));

        JsonPath all = search(t, "?sort=-name&limit=2");
        assertThat(all.getInt("total")).isEqualTo(4);
        assertThat(all.getList("customers.name")).containsExactly("Wide ISP", "Gamma");
        assertThat(search(t, "?sort=-name&limit=2&offset=2").getList("customers.name")).containsExactly("Beta 100% Co", "Acme Tunnels");
        assertThat(search(other, "?q=acme").getList("customers.externalId")).containsExactly("acme-other");
    }

    @Test
    void theAuditTrailPagesNewestFirstAndKeepsTheWholeChainsVerdict() {
        Tenant t = tenant("Audit");
        for (int i = 0; i < 5; i++) {
            customer(t, "c" + i, "C " + i, "{}");
        }
        JsonPath page = given().header("Authorization", "Bearer " + t.key()).get("/v1/audit?sort=-seq&limit=2&offset=1").then().statusCode(200)
                .extract().jsonPath();
        long total = page.getLong("total");
        assertThat(page.getList("entries.seq", Long.class)).containsExactly(total - 1, total - 2);
        assertThat(page.getBoolean("chainIntact")).isTrue();
        given().header("Authorization", "Bearer " + t.key()).get("/v1/audit?limit=0").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    void theOverviewCountsWaitingApprovalsPerTenant() {
        Tenant t = tenant("Overview");
        JsonPath o = given().header("Authorization", "Bearer " + OPERATOR).get("/v1/admin/overview").then().statusCode(200).extract().jsonPath();
        assertThat(o.getList("tenants.tenantId")).contains(t.id());
        assertThat(o.getInt("tenants.find { it.tenantId == '" + t.id() + "' }.pendingApprovals")).isZero();
        // a tenant key is not an operator
        given().header("Authorization", "Bearer " + t.key()).get("/v1/admin/overview").then().statusCode(401);
    }
}
