package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.platform.security.PortalTokens;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Customer portal sessions against real Postgres and Kafka: a tenant's key asks for one; the session reads its own
 * customer's draft, invoices, documents and events, and nothing else — another customer's ids are "not found" on every
 * route, writes are refused, scopes hold; an expired, tampered or foreign-signed token is 401; the portal's own route
 * takes no tenant key.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class PortalSessionTest extends BillingTest {
    private static final String SECRET = "test-portal-secret-not-for-production";

    private static ValidatableResponse as(String token, String path) {
        return given().header("Authorization", "Bearer " + token).get(path).then();
    }

    @Test
    void aSessionReadsItsOwnCustomerAndNothingElse() throws Exception {
        Tenant t = tenant("Portal");
        List<String> ids = setUp(t, monthStart(-1), "pa", "pb");
        fixture().usage(t, ids.get(0), 1, monthStart(-1), monthStart(0), "2500", monthStart(0), monthStart(1), "700");
        fixture().usage(t, ids.get(1), 1, monthStart(-1), monthStart(0), "9000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);
        String invoiceA = get(t, "/v1/invoices?customer=pa").extract().path("invoices[0].invoiceId");
        String invoiceB = get(t, "/v1/invoices?customer=pb").extract().path("invoices[0].invoiceId");

        // refused, each naming the field; nothing issued
        post(t, "/v1/customers/pa/portal-sessions", "{\"scopes\":[\"everything\"]}").statusCode(400).body("field", equalTo("scopes[0]"));
        post(t, "/v1/customers/pa/portal-sessions", "{\"ttlSeconds\":99999}").statusCode(400).body("field", equalTo("ttlSeconds"));
        post(t, "/v1/customers/pa/portal-sessions", "{\"locale\":\"fr\"}").statusCode(400).body("field", equalTo("locale"));
        post(t, "/v1/customers/nobody/portal-sessions", "{}").statusCode(404);
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'portal_session'", t.id())).isZero();

        JsonPath session = post(t, "/v1/customers/pa/portal-sessions", "{\"locale\":\"de\"}").statusCode(201).extract().jsonPath();
        String token = session.getString("token");
        assertThat(token).startsWith("tps_");
        assertThat(session.getString("url")).endsWith("/portal/" + token);
        assertThat(session.getList("scopes")).containsExactly("download", "invoices", "usage");
        assertThat(Instant.parse(session.getString("expiresAt"))).isBetween(Instant.now().plusSeconds(800), Instant.now().plusSeconds(901));
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'portal_session' and after_json not like '%tps_%'",
                t.id())).as("audited, without the token").isEqualTo(1);

        given().header("Authorization", "Bearer " + t.key()).contentType("application/json").body("{\"limit\":\"10000\",\"hard\":false}")
                .put("/v1/customers/pa/limits/bandwidth").then().statusCode(200);
        given().header("Authorization", "Bearer " + t.key()).contentType("application/json").body("{\"amount\":\"100.00\"}")
                .put("/v1/customers/pa/budget").then().statusCode(200);
        // its own customer: the same draft as the tenant's key sees, the invoice, its document, explanation and events
        as(token, "/v1/portal/context").statusCode(200).body("externalId", equalTo("pa")).body("tenantName", equalTo("Portal"))
                .body("locale", equalTo("de"));
        String draftTotal = get(t, "/v1/customers/pa/invoices/draft").statusCode(200).extract().path("total");
        as(token, "/v1/customers/pa/invoices/draft").statusCode(200).body("total", equalTo(draftTotal));
        // the projection: 700 so far carried on to the period's end, priced like the draft (the clock is the real one)
        JsonPath projection = as(token, "/v1/customers/pa/invoices/projection").statusCode(200).extract().jsonPath();
        long elapsed = projection.getLong("elapsedSeconds");
        if (Instant.now().isAfter(Instant.parse(monthStart(0)).plusSeconds(86_400 + 60))) {
            BigDecimal expected = new BigDecimal("700").multiply(BigDecimal.valueOf(projection.getLong("periodSeconds")))
                    .divide(BigDecimal.valueOf(elapsed), 0, RoundingMode.HALF_UP);
            assertThat(new BigDecimal(projection.getString("projected.lines[0].quantity"))).isEqualByComparingTo(expected);
            assertThat(projection.getString("projected.status")).isEqualTo("projected");
            assertThat(new BigDecimal(projection.getString("projected.total"))).isGreaterThanOrEqualTo(new BigDecimal(draftTotal));
        } else if (Instant.now().isBefore(Instant.parse(monthStart(0)).plusSeconds(86_400 - 60))) {
            assertThat(projection.getString("projected")).isNull();
            assertThat(projection.getString("method")).contains("24 hours");
        }
        as(token, "/v1/invoices?customer=pa").statusCode(200).body("invoices.size()", equalTo(1)).body("invoices[0].invoiceId", equalTo(invoiceA));
        as(token, "/v1/customers/pa/limits").statusCode(200).body("[0].meter", equalTo("bandwidth"));
        as(token, "/v1/customers/pa/budget").statusCode(200).body("amount", equalTo("100"));
        // the tenant's back office stays out of what the session reads: who finalized, internal ids
        get(t, "/v1/invoices/" + invoiceA).statusCode(200).body("finalizedBy", Matchers.notNullValue()).body("customerId", Matchers.notNullValue());
        as(token, "/v1/invoices/" + invoiceA).statusCode(200).body("finalizedBy", Matchers.nullValue()).body("customerId", Matchers.nullValue())
                .body("total", Matchers.notNullValue());
        as(token, "/v1/invoices/" + invoiceA + "/explain").statusCode(200).body("lines[0].usagePerDay", Matchers.nullValue())
                .body("lines[0].quantity", Matchers.notNullValue());
        for (String route : List.of("", "/explain", "/document.pdf", "/document.html", "/credit-notes", "/events?meter=bandwidth")) {
            as(token, "/v1/invoices/" + invoiceA + route).statusCode(200);
        }
        as(token, "/v1/refunds?invoice=" + invoiceA).statusCode(200).body("refunds.size()", equalTo(0));

        // another customer's ids are "not found" everywhere; other routes and writes too
        for (String path : List.of("/v1/customers/pb/invoices/draft", "/v1/customers/pb/credits", "/v1/customers/pb/limits", "/v1/customers/pb/budget",
                "/v1/invoices?customer=pb", "/v1/invoices",
                "/v1/invoices/" + invoiceB, "/v1/invoices/" + invoiceB + "/explain", "/v1/invoices/" + invoiceB + "/document.pdf",
                "/v1/invoices/" + invoiceB + "/document.html", "/v1/invoices/" + invoiceB + "/credit-notes",
                "/v1/invoices/" + invoiceB + "/events?meter=bandwidth", "/v1/customers/pa", "/v1/meters", "/v1/customers/pa/portal-sessions", "/v1/refunds", "/v1/refunds?invoice=" + invoiceB,
                "/v1/customers/pb/invoices/projection")) {
            as(token, path).statusCode(404).contentType("application/problem+json");
        }
        given().header("Authorization", "Bearer " + token).contentType("application/json").body("{\"reason\":\"x\"}")
                .post("/v1/invoices/" + invoiceA + "/credit-notes").then().statusCode(404);
        given().header("Authorization", "Bearer " + token).contentType("application/json").body("{}")
                .post("/v1/customers/pa/portal-sessions").then().statusCode(404);

        // scopes hold
        String usageOnly = post(t, "/v1/customers/pa/portal-sessions", "{\"scopes\":[\"usage\"]}").statusCode(201).extract().path("token");
        as(usageOnly, "/v1/invoices?customer=pa").statusCode(403);
        as(usageOnly, "/v1/customers/pa/invoices/draft").statusCode(200);
        String noDownload = post(t, "/v1/customers/pa/portal-sessions", "{\"scopes\":[\"invoices\"]}").statusCode(201).extract().path("token");
        as(noDownload, "/v1/invoices/" + invoiceA + "/events?meter=bandwidth").statusCode(403);
        as(noDownload, "/v1/invoices/" + invoiceA + "/explain").statusCode(200);

        // expired, tampered, signed with another secret: 401; a tenant key or no token on the portal's route: 401
        String customerA = ids.get(0);
        long in15 = Instant.now().plusSeconds(900).getEpochSecond();
        as(PortalTokens.issue(SECRET, new PortalTokens.Claims("ps_x", t.id(), customerA, "pa", List.of("usage"), Instant.now().getEpochSecond() - 1,
                "en")), "/v1/portal/context").statusCode(401);
        as(PortalTokens.issue("not-the-secret", new PortalTokens.Claims("ps_y", t.id(), customerA, "pa", List.of("usage"), in15, "en")),
                "/v1/portal/context").statusCode(401);
        String payload = token.substring(0, token.indexOf('.'));
        String forgedClaims = PortalTokens.issue("not-the-secret", new PortalTokens.Claims("ps_z", t.id(), ids.get(1), "pb", List.of("usage"), in15,
                "en"));
        as(forgedClaims.substring(0, forgedClaims.indexOf('.')) + token.substring(token.indexOf('.')), "/v1/portal/context").statusCode(401);
        as(payload + ".AAAA", "/v1/portal/context").statusCode(401);
        as(t.key(), "/v1/portal/context").statusCode(401);
        given().get("/v1/portal/context").then().statusCode(401);
    }

    @Test
    void anOperatorTokenIssuesNoSession() {
        Tenant t = tenant("Portal ops");
        setUp(t, monthStart(0), "po");
        given().header("Authorization", "Bearer " + BillingFixture.OPERATOR).header("Tally-Tenant", t.id()).contentType("application/json")
                .body("{}").post("/v1/customers/po/portal-sessions").then().statusCode(403);
    }

    @Test
    void aTenantNamesTheOriginsThatMayFrameItsPortalAndItsColour() throws Exception {
        Tenant t = tenant("Portal settings");
        setUp(t, monthStart(0), "ps");
        get(t, "/v1/portal-settings").statusCode(200).body("frameAncestors.size()", equalTo(0));
        for (String bad : List.of("https://app.example.com/path", "https://*.example.com", "http://app.example.com", "javascript:alert(1)",
                "https://a.example.com 'unsafe-inline'")) {
            given().header("Authorization", "Bearer " + t.key()).contentType("application/json").body("{\"frameAncestors\":[\"" + bad + "\"]}")
                    .put("/v1/portal-settings").then().statusCode(400).body("field", equalTo("frameAncestors[0]"));
        }
        given().header("Authorization", "Bearer " + t.key()).contentType("application/json").body("{\"accentColor\":\"red\"}")
                .put("/v1/portal-settings").then().statusCode(400).body("field", equalTo("accentColor"));
        // a logo: a PNG only (an SVG or GIF is refused, so is anything above 64 KiB)
        String gif = Base64.getEncoder().encodeToString("GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"
                .getBytes(StandardCharsets.ISO_8859_1));
        String svg = Base64.getEncoder().encodeToString("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".getBytes(
                StandardCharsets.UTF_8));
        byte[] huge = new byte[70_000];
        System.arraycopy(png(8), 0, huge, 0, 8);
        for (String bad : List.of(gif, svg, "not base64!", Base64.getEncoder().encodeToString(huge))) {
            given().header("Authorization", "Bearer " + t.key()).contentType("application/json").body("{\"logoPng\":\"" + bad + "\"}")
                    .put("/v1/portal-settings").then().statusCode(400).body("field", equalTo("logoPng"));
        }
        String logo = Base64.getEncoder().encodeToString(png(48));
        given().header("Authorization", "Bearer " + t.key()).contentType("application/json")
                .body("{\"frameAncestors\":[\"https://App.Gateway.example\",\"http://localhost:3000\"],\"accentColor\":\"#0a6e4f\",\"logoPng\":\"" + logo + "\"}")
                .put("/v1/portal-settings").then().statusCode(200).body("frameAncestors[0]", equalTo("https://app.gateway.example"));
        String token = post(t, "/v1/customers/ps/portal-sessions", "{}").statusCode(201).extract().path("token");
        as(token, "/v1/portal/context").statusCode(200).body("frameAncestors", equalTo(List.of("https://app.gateway.example", "http://localhost:3000")))
                .body("accentColor", equalTo("#0a6e4f")).body("logoPng", equalTo(logo));
        as(token, "/v1/portal-settings").statusCode(404); // a session reads no tenant setting
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'portal_settings'", t.id())).isEqualTo(1);
        assertThat(fixture().count("select count(*) from audit_log where tenant_id = ? and entity_type = 'portal_settings' and after_json like "
                + "'%sha256:%' and after_json not like '%" + logo.substring(0, 40) + "%'", t.id())).as("the logo audited by its hash").isEqualTo(1);
    }

    /** A real PNG of {@code size}×{@code size} pixels (its first bytes: the PNG signature). */
    private static byte[] png(int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x0a, 0x6e, 0x4f));
        g.fillOval(0, 0, size, size);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
