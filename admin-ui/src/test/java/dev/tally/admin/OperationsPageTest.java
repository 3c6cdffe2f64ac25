package dev.tally.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(StubServices.class)
class OperationsPageTest {
    static final String AUTH = "Bearer " + OperatorTokenTest.TOKEN;

    @Test
    void thePageIsTitledAndLoadsItsScriptFromTheSameOrigin() {
        given().header("Authorization", AUTH).when().get("/").then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Cache-Control", "no-store")
                .body(containsString("<title>Tally — operations</title>"))
                .body(containsString("<script src=\"/ui/app.js\" defer></script>"))
                .body(containsString("href=\"/ui/app.css\""))
                .body(not(containsString("http://")))
                .body(not(containsString("https://")));
    }

    @Test
    void theScriptFetchesApiHealthEveryFiveSecondsAndRendersAsText() {
        given().header("Authorization", AUTH).when().get("/ui/app.js").then()
                .statusCode(200)
                .contentType(startsWith("text/javascript"))
                .body(containsString("fetch('/api/health'"))
                .body(containsString("REFRESH_MS = 5000"))
                .body(not(containsString("innerHTML")));
    }

    @Test
    void theStyleColoursEachStatusBadge() {
        given().header("Authorization", AUTH).when().get("/ui/app.css").then()
                .statusCode(200)
                .contentType(startsWith("text/css"))
                .body(containsString(".badge.up"))
                .body(containsString(".badge.down"))
                .body(containsString(".badge.unreachable"));
    }
}
