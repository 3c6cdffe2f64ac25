package dev.tally.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import org.hamcrest.Matchers;

/** Requests the system tests share: a JSON POST with a bearer key, and a bytes event for customer {@code acme}. */
final class SystemRequests {
    private SystemRequests() {
    }

    static Response post(String base, String key, String path, String body) {
        return given().baseUri(base).header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body).post(path);
    }

    /** A {@code bytes} event of customer {@code acme}, five seconds old. */
    static String event(String id, long bytes) {
        return "{\"id\":\"%s\",\"type\":\"bytes\",\"customer\":\"acme\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":%d}}"
                .formatted(id, Instant.now().minusSeconds(5), bytes);
    }

    /** Sets a tenant's close grace (an ISO-8601 duration) as its operator: a long one keeps the scheduled closer away. */
    static void closeGrace(String invoicing, String operator, String tenantId, String grace) {
        given().baseUri(invoicing).header("Authorization", "Bearer " + operator).contentType(ContentType.JSON).body("{\"closeGrace\":\"" + grace + "\"}")
                .patch("/v1/admin/tenants/" + tenantId).then().statusCode(200);
    }

    /**
     * The invoice of {@code customer}'s oldest ended period (or the one starting at {@code periodStart}): closed now, or
     * — when invoicing's own scheduled closer got there first (409) — the one it made. Either way exactly one.
     */
    static JsonPath closedInvoice(String invoicing, String admin, String customer, String periodStart) {
        Response r = post(invoicing, admin, "/v1/invoices/close", "{\"customer\":\"" + customer + "\"" + (periodStart == null ? ""
                : ",\"periodStart\":\"" + periodStart + "\"") + "}");
        if (r.statusCode() == 201) {
            return r.jsonPath();
        }
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(409);
        String id = given().baseUri(invoicing).header("Authorization", "Bearer " + admin).get("/v1/invoices?customer=" + customer).then().statusCode(200)
                .body("invoices.size()", Matchers.equalTo(1)).extract().path("invoices[0].invoiceId");
        return given().baseUri(invoicing).header("Authorization", "Bearer " + admin).get("/v1/invoices/" + id).then().statusCode(200).extract().jsonPath();
    }
}
