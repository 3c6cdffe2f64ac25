package dev.tally.invoicing.security;

import dev.tally.platform.problem.ProblemException;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * Who is calling: an operator (the admin token) or a tenant (an API key). Resources get the tenant
 * from here and nowhere else, so every query is scoped to the key's tenant.
 */
public record Caller(boolean operator, String tenantId, String keyId, String scope) {
    static final String PROPERTY = "tally.caller";

    public static Caller of(ContainerRequestContext request) {
        return (Caller) request.getProperty(PROPERTY);
    }

    /** Who to name in the audit log: {@code key:<keyId>} or {@code operator}. */
    public String actor() {
        return operator ? "operator" : "key:" + keyId;
    }

    /** The tenant, for tenant-scoped resources. */
    public String tenant() {
        if (tenantId == null) {
            throw ProblemException.forbidden("this endpoint needs a tenant API key");
        }
        return tenantId;
    }
}
