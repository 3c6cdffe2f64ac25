package dev.tally.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
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
    void everyApiCallNeedsATokenOrASession() {
        for (String path : new String[] {"/api/health"}) {
            given().when().get(path).then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Basic realm=\"tally-admin\"")
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://tally.dev/problems/unauthorized"))
                    .body("title", equalTo("Unauthorized"))
                    .body("status", equalTo(401))
                    .body("detail", containsString("operator token"));
            given().cookie("tally_session", "made-up").when().get(path).then().statusCode(401).body("detail", containsString("expired"));

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
    void aBrowserAskingForAPageIsSentToSignIn() {
        given().redirects().follow(false).accept("text/html,application/xhtml+xml,*/*;q=0.8").when().get("/t/ten_1/customers?q=acme").then()
                .statusCode(303)
                .header("Location", endsWith("/login?next=%2Ft%2Ften_1%2Fcustomers%3Fq%3Dacme"));
        given().redirects().follow(false).cookie("tally_session", "gone").when().get("/").then()
                .statusCode(303)
                .header("Location", endsWith("/login?next=%2F&why=expired"));
        // scripts keep Bearer and Basic
        given().header("Authorization", "Bearer " + TOKEN).when().get("/").then().statusCode(200);
        given().header("Authorization", basic("anyone", TOKEN)).when().get("/").then().statusCode(200);
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
