package dev.tally.rating.api;

import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.security.RateLimits;
import dev.tally.platform.security.TenantKeys;
import dev.tally.rating.config.RatingConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
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
 * Every rating API request carries a tenant API key with the {@code read} or {@code admin} scope (or an admin user's
 * token acting in the tenant named by {@code Tally-Tenant}, see {@link TenantKeys});
 * entitlement checks also accept {@code ingest} keys (the gateway that sends usage asks them).
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    static final String TENANT = "tally.tenant";
    private static final Set<String> SCOPES = Set.of("read", "admin");
    private static final Set<String> ENTITLEMENT_SCOPES = Set.of("read", "admin", "ingest");

    @Inject
    CatalogView catalog;
    /** Read on first use, at run time (a filter may be made while a native image is built). */
    @Inject
    Instance<RatingConfig> config;
    private volatile RateLimits limits;
    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        // decided by the matched resource, not by the path text
        boolean entitlement = resource.getResourceClass() == EntitlementResource.class;
        TenantKeys.TenantCaller key = TenantKeys.authenticate(catalog, request.getHeaderString(HttpHeaders.AUTHORIZATION),
                request.getHeaderString(TenantKeys.TENANT_HEADER), entitlement ? ENTITLEMENT_SCOPES : SCOPES, entitlement ? "an entitlement check" : "reading usage");
        RateLimits l = limits;
        if (l == null) {
            RatingConfig.Api.RateLimit r = config.get().api().rateLimit();
            l = new RateLimits(r.requestsPerSecond(), r.burst());
            limits = l;
        }
        long retryAfter = l.retryAfter(key.keyId());
        if (retryAfter > 0) {
            request.abortWith(RateLimits.tooMany(key.describe(), retryAfter));
            return;
        }
        request.setProperty(TENANT, key.tenantId());
    }
}
