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

/** Every rating API request carries a tenant API key with the {@code read} or {@code admin} scope. */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    static final String TENANT = "tally.tenant";
    private static final Set<String> SCOPES = Set.of("read", "admin");

    @Inject
    CatalogView catalog;

    @Override
    public void filter(ContainerRequestContext request) {
        CatalogRecordV1.ApiKey key = TenantKeys.authenticate(catalog, request.getHeaderString(HttpHeaders.AUTHORIZATION), SCOPES,
                "reading usage");
        request.setProperty(TENANT, key.tenantId());
    }
}
