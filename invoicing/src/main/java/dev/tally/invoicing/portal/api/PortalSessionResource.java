package dev.tally.invoicing.portal.api;

import dev.tally.invoicing.portal.PortalSessions;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's backend asks for a customer's portal session (with an admin key: the session lets its holder read that
 * customer's usage and invoices) and hands its URL to the customer's browser; the page never sees the tenant's key.
 */
@Path("/v1/customers/{externalId}/portal-sessions")
@Produces(MediaType.APPLICATION_JSON)
public class PortalSessionResource {
    @Inject
    PortalSessions sessions;
    @Context
    ContainerRequestContext request;

    /** {@code scopes} of usage, invoices, download (default all); {@code ttlSeconds} default 900, at most 3600; {@code locale} en or de. */
    @Schema(example = "{\"scopes\":[\"usage\",\"invoices\",\"download\"],\"ttlSeconds\":900,\"locale\":\"en\"}")
    public record NewSession(List<String> scopes, Long ttlSeconds, String locale) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PortalSessions.Session.class)))
    public Response create(@PathParam("externalId") String externalId, NewSession body) {
        Caller caller = Caller.of(request);
        if (caller.operator()) {
            throw ProblemException.forbidden("portal sessions are issued to a tenant's own key");
        }
        NewSession b = body == null ? new NewSession(null, null, null) : body;
        return Response.status(201).entity(sessions.issue(caller.tenant(), externalId, b.scopes(), b.ttlSeconds(), b.locale(), caller.actor()))
                .build();
    }
}
