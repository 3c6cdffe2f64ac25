package dev.tally.invoicing.portal.api;

import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.invoicing.portal.PortalSettings;
import dev.tally.invoicing.security.PortalAccess;
import dev.tally.platform.security.PortalTokens;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a portal page needs to know of its session: whose it is (tenant and customer by name), what it may show, until when,
 * and the tenant's portal settings (who may frame it, its accent colour, its logo).
 */
@Path("/v1/portal/context")
@Produces(MediaType.APPLICATION_JSON)
public class PortalResource {
    @Inject
    DataSource dataSource;
    @Inject
    PortalSettings settings;
    @Context
    ContainerRequestContext request;

    /** The tenant by name only, the customer as the tenant knows them, the session's scopes, locale and expiry. */
    public record PortalContext(String tenantName, String externalId, String customerName, String currency, List<String> scopes, String locale,
            Instant expiresAt, List<String> frameAncestors, String accentColor, String logoPng) {
    }

    @GET
    @Transactional
    public PortalContext context() throws Exception {
        PortalTokens.Claims c = PortalAccess.of(request);
        TenantEntity tenant = TenantEntity.findById(c.tenantId());
        CustomerEntity customer = CustomerService.byExternalId(c.tenantId(), c.externalId());
        PortalSettings.Settings s;
        try (Connection conn = dataSource.getConnection()) {
            s = settings.get(conn, c.tenantId());
        }
        return new PortalContext(tenant.name, customer.externalId, customer.name, customer.currency, c.scopes(), c.locale(),
                Instant.ofEpochSecond(c.expiresAt()), s.frameAncestors(), s.accentColor(), s.logoPng());
    }
}
