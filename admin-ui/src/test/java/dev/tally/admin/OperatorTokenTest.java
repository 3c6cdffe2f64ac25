package dev.tally.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(StubServices.class)
class OperatorTokenTest {
    static final String TOKEN = "test-operator-token";

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyPageNeedsTheOperatorToken() {
        for (String path : new String[] {"/", "/api/health", "/ui/app.js", "/ui/app.css"}) {
            given().when().get(path).then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Basic realm=\"tally-admin\"")
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://tally.dev/problems/unauthorized"))
                    .body("title", equalTo("Unauthorized"))
                    .body("status", equalTo(401))
                    .body("detail", containsString("operator token"));

            given().header("Authorization", "Bearer not-the-token").when().get(path).then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Basic realm=\"tally-admin\"")
                    .contentType("application/problem+json")
                    .body(not(containsString(TOKEN)));
            given().header("Authorization", basic("ops", "not-the-token")).when().get(path).then().statusCode(401);
            given().header("Authorization", "Bearer " + TOKEN + "x").when().get(path).then().statusCode(401);

            given().header("Authorization", "Bearer " + TOKEN).when().get(path).then().statusCode(200);
            given().header("Authorization", basic("anyone", TOKEN)).when().get(path).then().statusCode(200);
        }
    }

    /** The stub "invoicing" is down: an admin token cannot be verified, which is a 503 — never a pass. */
    @Test
    void anAdminTokenThatCannotBeVerifiedIsNotLetIn() {
        given().header("Authorization", "Bearer tad_0123456789ab_" + "f".repeat(64)).when().get("/api/health").then()
                .statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tally.dev/problems/unavailable"))
                .body(not(containsString("tad_")));
    }

    @Test
    void aBrowserAskingForHtmlIsPromptedForCredentials() {
        given().accept("text/html,application/xhtml+xml,*/*;q=0.8").when().get("/").then()
                .statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"tally-admin\"")
                .contentType("application/problem+json")
                .body("status", equalTo(401));
    }

    @Test
    void malformedCredentialsAreRejectedNotFailed() {
        for (String header : new String[] {"Bearer", "Bearer ", "Basic !!!not-base64", basic("ops", ""),
                "Basic " + Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)), "Token " + TOKEN, TOKEN}) {
            given().header("Authorization", header).when().get("/api/health").then()
                    .statusCode(401)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void kubernetesProbesStayOpen() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
