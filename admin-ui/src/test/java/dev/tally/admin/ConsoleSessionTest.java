package dev.tally.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.tally.admin.console.Sessions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.ws.rs.POST;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hamcrest.Matchers;
import org.jboss.resteasy.reactive.RestForm;
import org.junit.jupiter.api.Test;

/** Sign-in, the session cookie, CSRF and sign-out, against the console with stub services (invoicing is "down"). */
@QuarkusTest
@WithTestResource(StubServices.class)
class ConsoleSessionTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]{64})\"");

    @Test
    void theSignInPageIsAFormUnderAStrictPolicy() {
        given().when().get("/login").then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("form-action 'self'"))
                .header("Cache-Control", "no-store")
                .body(containsString("<form method=\"post\" action=\"/login\""))
                .body(containsString("href=\"/ui/console.css\""))
                .body(not(containsString("style=\"")));
    }

    @Test
    void aWrongTokenIsAClearMessageAndNoCookie() {
        given().redirects().follow(false).formParam("token", "not-the-token").formParam("next", "/").when().post("/login").then()
                .statusCode(401)
                .header("Set-Cookie", Matchers.nullValue())
                .body(containsString("That token is not valid, or its admin user is disabled."))
                .body(not(containsString("not-the-token")));
    }

    @Test
    void signingInGivesAStrictHttpOnlySessionCookieAndTheOverview() {
        Response signIn = signIn("/t/ten_x/invoices");
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.header("Location")).endsWith("/t/ten_x/invoices");
        String setCookie = signIn.header("Set-Cookie");
        assertThat(setCookie).contains(Sessions.COOKIE + "=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/")
                .doesNotContain(OperatorTokenTest.TOKEN);
        String session = signIn.cookie(Sessions.COOKIE);
        // the overview shows the services' health even though the stub invoicing cannot list tenants: an error state, not a failure
        given().cookie(Sessions.COOKIE, session).when().get("/").then().statusCode(200)
                .body(containsString("Tenants could not be read"))
                .body(containsString("id=\"whoami\">operator<"));
    }

    @Test
    void aRedirectAfterSignInNeverLeavesTheConsole() {
        for (String next : List.of("//evil.example/x", "https://evil.example/", "/\\evil.example")) {
            assertThat(signIn(next).header("Location")).endsWith("/");
        }
    }

    @Test
    void changesWithoutTheSessionsCsrfTokenOrFromAnotherOriginAreRefused() {
        String session = signIn("/").cookie(Sessions.COOKIE);
        String csrf = csrfOf(given().cookie(Sessions.COOKIE, session).when().get("/tenants").asString());
        given().cookie(Sessions.COOKIE, session).formParam("name", "Evil").when().post("/tenants").then()
                .statusCode(403).contentType("application/problem+json").body("detail", containsString("CSRF"));
        given().cookie(Sessions.COOKIE, session).formParam("name", "Evil").formParam("csrf", "0".repeat(64)).when().post("/tenants").then()
                .statusCode(403);
        given().cookie(Sessions.COOKIE, session).header("Origin", "https://evil.example").formParam("name", "Evil").formParam("csrf", csrf)
                .when().post("/tenants").then().statusCode(403).body("detail", containsString("Origin"));
        // HTTP Basic, which a browser replays by itself, reads but never changes anything
        given().auth().preemptive().basic("ops", OperatorTokenTest.TOKEN).formParam("name", "Evil").when().post("/tenants").then()
                .statusCode(403).body("detail", containsString("read-only"));
    }

    @Test
    void signingOutEndsTheSession() {
        String session = signIn("/").cookie(Sessions.COOKIE);
        String csrf = csrfOf(given().cookie(Sessions.COOKIE, session).when().get("/").asString());
        given().redirects().follow(false).cookie(Sessions.COOKIE, session).when().post("/logout").then().statusCode(403);
        given().redirects().follow(false).cookie(Sessions.COOKIE, session).formParam("csrf", csrf).when().post("/logout").then()
                .statusCode(303).header("Location", containsString("/login?why=signed-out"));
        given().redirects().follow(false).cookie(Sessions.COOKIE, session).when().get("/").then().statusCode(303)
                .header("Location", containsString("why=expired"));
    }

    /** Every console change checks the CSRF token: each POST method of the console takes a {@code csrf} form field. */
    @Test
    void everyConsoleChangeTakesTheCsrfField() throws Exception {
        for (String name : List.of("OverviewPages", "CustomerPages", "InvoicePages", "ApprovalPages", "LoginResource", "OperationsPages",
                "TenantPages", "PlanPages")) {
            Class<?> c = Class.forName("dev.tally.admin.console." + name);
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(POST.class) || m.getName().equals("signIn")) {
                    continue;
                }
                boolean takesCsrf = false;
                for (Parameter p : m.getParameters()) {
                    takesCsrf |= p.isAnnotationPresent(RestForm.class) && p.getName().equals("csrf");
                }
                assertThat(takesCsrf).as(name + "." + m.getName() + " takes a csrf form field").isTrue();
            }
        }
    }

    static Response signIn(String next) {
        return given().redirects().follow(false).formParam("token", OperatorTokenTest.TOKEN).formParam("next", next).when().post("/login");
    }

    static String csrfOf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("the page has a CSRF field").isTrue();
        return m.group(1);
    }
}
