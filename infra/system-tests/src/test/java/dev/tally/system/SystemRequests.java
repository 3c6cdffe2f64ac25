package dev.tally.system;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Instant;

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
}
