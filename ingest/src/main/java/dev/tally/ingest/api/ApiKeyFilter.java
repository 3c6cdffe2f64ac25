package dev.tally.ingest.api;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.security.TenantKeys;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * Every ingest request carries a tenant API key ({@code Authorization: Bearer tly_…}) with the
 * {@code ingest} or {@code admin} scope. Keys are looked up by SHA-256 in the catalog read model.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private static final Set<String> SCOPES = Set.of("ingest", "admin");

    @Inject
    CatalogView catalog;
    @Inject
    RateLimiter limiter;

    @Override
    public void filter(ContainerRequestContext request) {
        CatalogRecordV1.ApiKey found = TenantKeys.authenticate(catalog, request.getHeaderString(HttpHeaders.AUTHORIZATION), SCOPES,
                "ingest");
        long retryAfter = limiter.retryAfter(found.keyId());
        if (retryAfter > 0) {
            request.abortWith(dev.tally.platform.security.RateLimits.tooMany("API key " + found.keyId(), retryAfter));
            return;
        }
        request.setProperty(Tenant.PROPERTY, new Tenant(found.tenantId(), found.keyId(), found.scope()));
    }
}
