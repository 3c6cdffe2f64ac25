package dev.tally.invoicing.payment.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.payment.UsageExport;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Usage export to Stripe Billing meters ({@link UsageExport}): which meters go to which Stripe meter, and what each
 * customer's period has been sent.
 */
@Path("/v1/usage-export")
@Produces(MediaType.APPLICATION_JSON)
public class UsageExportResource {
    @Inject
    DataSource dataSource;
    @Inject
    UsageExport export;
    @Context
    ContainerRequestContext request;

    /** The Stripe meter a Tally meter's usage goes to: its {@code event_name}. */
    public record ExportSettings(String stripeEventName) {
    }

    @GET
    @Transactional
    public UsageExport.View view(@QueryParam("limit") @DefaultValue("100") int limit) throws Exception {
        String tenant = Caller.of(request).tenant();
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("invalid-field", "limit: 1 to 1000", "limit");
        }
        try (Connection c = dataSource.getConnection()) {
            return export.view(c, tenant, limit);
        }
    }

    @PUT
    @Path("/meters/{meter}")
    @Transactional
    public UsageExport.Meter configure(@PathParam("meter") String meter, ExportSettings body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return export.configure(c, caller.tenant(), meter, body.stripeEventName(), caller.actor());
        }
    }

    @DELETE
    @Path("/meters/{meter}")
    @Transactional
    @APIResponse(responseCode = "204", description = "done; no body")
    public Response remove(@PathParam("meter") String meter) throws Exception {
        Caller caller = Caller.of(request);
        try (Connection c = dataSource.getConnection()) {
            if (!export.remove(c, caller.tenant(), meter, caller.actor())) {
                throw ProblemException.notFound("not-exported", "meter '" + meter + "' is not exported");
            }
        }
        return Response.noContent().build();
    }
}
