package dev.tally.rating.api;

import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.ApiKeys;
import dev.tally.platform.security.PortalTokens;
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
import java.time.Clock;
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
    @Inject
    Instance<Clock> clock;
    private volatile RateLimits limits;
    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        // decided by the matched resource, not by the path text
        boolean entitlement = resource.getResourceClass() == EntitlementResource.class;
        String bearer = ApiKeys.bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (bearer != null && bearer.startsWith(PortalTokens.PREFIX)) {
            portal(request, bearer);
            return;
        }
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

    /**
     * A customer portal session reads its own customer's usage and entitlements, and nothing else: a GET of
     * {@link UsageResource} or {@link EntitlementResource} for the customer the token names (scope {@code usage}).
     */
    private void portal(ContainerRequestContext request, String token) {
        PortalTokens.Claims claims = PortalTokens.verify(config.get().portal().secret().orElse(null), token, clock.get().instant().getEpochSecond());
        if (claims == null) {
            throw ProblemException.unauthorized("the portal session is invalid or has expired: ask for a new one");
        }
        Class<?> target = resource.getResourceClass();
        String customer = request.getUriInfo().getPathParameters().getFirst("customer");
        if (!"GET".equals(request.getMethod()) || (target != UsageResource.class && target != EntitlementResource.class) || customer == null
                || !(customer.equals(claims.externalId()) || customer.equals(claims.customerId()))) {
            throw ProblemException.notFound("not-found", "a portal session reads its own customer's usage only");
        }
        if (!claims.allows("usage")) {
            throw ProblemException.forbidden("this portal session does not include usage");
        }
        request.setProperty(TENANT, claims.tenantId());
    }
}
