package dev.tally.ingest.api;

import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.RateLimits;
import dev.tally.platform.security.TenantKeys;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * Every ingest request carries a tenant API key ({@code Authorization: Bearer tly_…}) with the
 * {@code ingest} or {@code admin} scope ({@code read} may look events up), or an admin user's token acting in the
 * tenant named by {@code Tally-Tenant} (the console: reads, and the quarantine for the operator role — never sending
 * events, which only a tenant's own key does). Keys are looked up by SHA-256 in the catalog read model.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private static final Set<String> SCOPES = Set.of("ingest", "admin");
    private static final Set<String> READ_SCOPES = Set.of("ingest", "admin", "read");

    @Inject
    CatalogView catalog;
    @Inject
    RateLimiter limiter;
    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        TenantKeys.TenantCaller found = TenantKeys.authenticate(catalog, request.getHeaderString(HttpHeaders.AUTHORIZATION),
                request.getHeaderString(TenantKeys.TENANT_HEADER), read ? READ_SCOPES : SCOPES, read ? "reading" : "ingest");
        if (found.userId() != null && !read && resource.getResourceClass() == EventsResource.class) {
            throw ProblemException.forbidden("events are sent with the tenant's own API key, not an admin user's token");
        }
        long retryAfter = limiter.retryAfter(found.keyId());
        if (retryAfter > 0) {
            request.abortWith(RateLimits.tooMany(found.describe(), retryAfter));
            return;
        }
        request.setProperty(Tenant.PROPERTY, new Tenant(found.tenantId(), found.keyId(), found.scope(), found.actor()));
    }
}
