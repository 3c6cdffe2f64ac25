package dev.tally.invoicing.portal.api;

import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.invoicing.security.PortalAccess;
import dev.tally.platform.security.PortalTokens;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** What a portal page needs to know of its session: whose it is (tenant and customer by name), what it may show, until when. */
@Path("/v1/portal/context")
@Produces(MediaType.APPLICATION_JSON)
public class PortalResource {
    @Context
    ContainerRequestContext request;

    /** The tenant by name only, the customer as the tenant knows them, the session's scopes, locale and expiry. */
    public record PortalContext(String tenantName, String externalId, String customerName, String currency, List<String> scopes, String locale,
            Instant expiresAt) {
    }

    @GET
    @Transactional
    public PortalContext context() {
        PortalTokens.Claims c = PortalAccess.of(request);
        TenantEntity tenant = TenantEntity.findById(c.tenantId());
        CustomerEntity customer = CustomerService.byExternalId(c.tenantId(), c.externalId());
        return new PortalContext(tenant.name, customer.externalId, customer.name, customer.currency, c.scopes(), c.locale(),
                Instant.ofEpochSecond(c.expiresAt()));
    }
}
