package dev.tally.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(StubServices.class)
class HealthApiTest {

    @Test
    void healthReportsUpForALiveServiceAndUnreachableForAClosedPort() {
        given().header("Authorization", "Bearer " + OperatorTokenTest.TOKEN)
                .when().get("/api/health")
                .then().statusCode(200)
                .contentType("application/json")
                .body("allUp", equalTo(false))
                .body("services", hasSize(3))
                .body("services.name", equalTo(List.of("ingest", "rating", "invoicing")))

                .body("services[0].url", startsWith("http://127.0.0.1:"))
                .body("services[0].status", equalTo("UP"))
                .body("services[0].httpStatus", equalTo(200))
                .body("services[0].checks.name", equalTo(List.of(
                        "Database connections health check", "Kafka connection health check")))
                .body("services[0].latencyMs", greaterThanOrEqualTo(0))
                .body("services[0].error", nullValue())

                .body("services[1].url", equalTo(StubServices.CLOSED))
                .body("services[1].status", equalTo("UNREACHABLE"))
                .body("services[1].httpStatus", nullValue())
                .body("services[1].checks", empty())
                .body("services[1].error", notNullValue())
                .body("services[1].error", not(startsWith("java.")))

                .body("services[2].status", equalTo("DOWN"))
                .body("services[2].httpStatus", equalTo(503))
                .body("services[2].checks[0].name", equalTo("Kafka connection health check"))
                .body("services[2].checks[0].status", equalTo("DOWN"))
                .body("services[2].error", nullValue());
    }
}
