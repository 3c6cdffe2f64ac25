package dev.tally.invoicing.security;

import dev.tally.invoicing.catalog.ApiKeyEntity;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.ApiKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Authenticates every request. {@code /v1/admin/**} takes the operator token; everything else a
 * tenant API key: {@code read} or {@code admin} scope for reads, {@code admin} for changes.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
    @ConfigProperty(name = "tally.admin.token")
    String operatorToken;

    @Override
    public void filter(ContainerRequestContext request) {
        String token = ApiKeys.bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            throw ProblemException.unauthorized("send 'Authorization: Bearer <API key or operator token>'");
        }
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/v1/admin/") || path.startsWith("v1/admin/")) {
            if (!ApiKeys.sameSecret(token, operatorToken)) {
                throw ProblemException.unauthorized("operator endpoints need the operator token");
            }
            request.setProperty(Caller.PROPERTY, new Caller(true, null, null, "operator"));
            return;
        }
        String hash = ApiKeys.sha256(token);
        ApiKeyEntity key = QuarkusTransaction.joiningExisting().call(() -> ApiKeyEntity.live(hash));
        if (key == null) {
            throw ProblemException.unauthorized("unknown or revoked API key");
        }
        boolean read = HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod());
        boolean allowed = "admin".equals(key.scope) || (read && "read".equals(key.scope));
        if (!allowed) {
            throw ProblemException.forbidden("API key " + key.keyId + " has scope '" + key.scope + "', which does not allow "
                    + request.getMethod() + " here");
        }
        java.time.Instant now = java.time.Instant.now();
        if (key.lastUsedAt == null || key.lastUsedAt.isBefore(now.minusSeconds(60))) {
            // a write only when the recorded use is stale, not one per request
            QuarkusTransaction.requiringNew().run(() -> ApiKeyEntity.touch(key.keyId, now));
        }
        request.setProperty(Caller.PROPERTY, new Caller(false, key.tenantId, key.keyId, key.scope));
    }
}
