package dev.tally.invoicing.security;

import dev.tally.platform.problem.ProblemException;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Set;

/**
 * Who is calling: an operator (the bootstrap operator token, or an admin user with a role) or a
 * tenant (an API key). Resources get the tenant from here and nowhere else, so every query is
 * scoped to the key's tenant.
 *
 * @param role for operators: {@code viewer}, {@code operator} or {@code finance} (the bootstrap token is {@code operator});
 *             for tenants the key's scope
 */
public record Caller(boolean operator, String tenantId, String keyId, String role, String userId) {
    static final String PROPERTY = "tally.caller";
    public static final Set<String> ROLES = Set.of("viewer", "operator", "finance");

    public static Caller of(ContainerRequestContext request) {
        return (Caller) request.getProperty(PROPERTY);
    }

    /** Who to name in the audit log: {@code key:<keyId>}, {@code user:<userId>} or {@code operator} (the bootstrap token). */
    public String actor() {
        if (!operator) {
            return "key:" + keyId;
        }
        return userId == null ? "operator" : "user:" + userId;
    }

    /** The tenant, for tenant-scoped resources. */
    public String tenant() {
        if (tenantId == null) {
            throw ProblemException.forbidden("this endpoint needs a tenant API key");
        }
        return tenantId;
    }

    /**
     * True for an admin user (or the operator token) who is not finance: money going back that they propose above the
     * tenant's threshold waits for a finance approval. A tenant's own key is trusted as the tenant's decision.
     */
    public boolean needsFinanceApproval() {
        return operator && !"finance".equals(role);
    }

    /** Refuses unless the operator has one of {@code roles}. */
    public void requireRole(String... roles) {
        for (String r : roles) {
            if (r.equals(role)) {
                return;
            }
        }
        throw ProblemException.forbidden("role '" + role + "' may not do this; it needs " + String.join(" or ", roles));
    }
}
