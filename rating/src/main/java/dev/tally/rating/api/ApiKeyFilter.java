package dev.tally.rating.api;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.security.TenantKeys;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * Every rating API request carries a tenant API key with the {@code read} or {@code admin} scope;
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
    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.container.ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        // decided by the matched resource, not by the path text
        boolean entitlement = resource.getResourceClass() == EntitlementResource.class;
        CatalogRecordV1.ApiKey key = TenantKeys.authenticate(catalog, request.getHeaderString(HttpHeaders.AUTHORIZATION),
                entitlement ? ENTITLEMENT_SCOPES : SCOPES, entitlement ? "an entitlement check" : "reading usage");
        request.setProperty(TENANT, key.tenantId());
    }
}
