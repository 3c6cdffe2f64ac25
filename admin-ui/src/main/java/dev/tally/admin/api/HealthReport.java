package dev.tally.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** What {@code GET /api/health} answers: each watched service's readiness, and whether all are up. */
@RegisterForReflection
public record HealthReport(List<Service> services, boolean allUp) {

    public static HealthReport of(List<Service> services) {
        return new HealthReport(services, services.stream().allMatch(s -> s.status() == Status.UP));
    }

    public enum Status {
        /** answered 200 with {@code "status":"UP"} */
        UP,
        /** answered, but not 200/UP */
        DOWN,
        /** no answer: refused, timed out, bad URL */
        UNREACHABLE
    }

    /**
     * One service. {@code checks} is the {@code checks} array of its readiness JSON (empty if it had
     * none); {@code httpStatus} is absent when it did not answer, {@code error} when it did.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Service(String name, String url, Status status, Integer httpStatus, JsonNode checks,
            long latencyMs, String error) {
    }
}
