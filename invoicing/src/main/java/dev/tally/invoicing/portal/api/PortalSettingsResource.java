package dev.tally.invoicing.portal.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.portal.PortalSettings;
import dev.tally.invoicing.security.Caller;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import javax.sql.DataSource;

/** The tenant's portal settings: which of its origins may frame the portal, and the pages' accent colour (audited). */
@Path("/v1/portal-settings")
@Produces(MediaType.APPLICATION_JSON)
public class PortalSettingsResource {
    @Inject
    DataSource dataSource;
    @Inject
    PortalSettings settings;
    @Context
    ContainerRequestContext request;

    @GET
    @Transactional
    public PortalSettings.Settings get() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return settings.get(c, Caller.of(request).tenant());
        }
    }

    @PUT
    @Transactional
    public PortalSettings.Settings put(PortalSettings.Settings body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return settings.put(c, caller.tenant(), body, caller.actor());
        }
    }
}
