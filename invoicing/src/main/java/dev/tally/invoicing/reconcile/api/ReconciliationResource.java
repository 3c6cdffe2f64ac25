package dev.tally.invoicing.reconcile.api;

import dev.tally.invoicing.reconcile.Reconciler;
import dev.tally.invoicing.reconcile.ReconciliationReports;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Reconciliation of the caller's tenant: an independent recount of usage from the accepted events, compared with
 * rating's snapshots and the invoices (see {@link Reconciler}). {@code POST} runs one now and answers with its
 * report; a drift also raises a {@code reconciliation.drift} webhook.
 */
@Path("/v1/reconciliations")
@Produces(MediaType.APPLICATION_JSON)
public class ReconciliationResource {
    @Inject
    Reconciler reconciler;
    @Inject
    ReconciliationReports reports;
    @Context
    ContainerRequestContext request;

    /**
     * {@code periodStart}: reconcile the periods starting then (default: every period the replay holds);
     * {@code creditOvercharges}: create credit notes (rule {@code rule:reconciliation}) where rating and the invoice
     * both count more than the events; {@code source}: {@code archive} (the event archive and the topic's tail past it;
     * the default while the archive is on) or {@code topic} (a replay of {@code tally.events.accepted} alone).
     */
    @Schema(name = "ReconciliationRequest")
    public record Run(Instant periodStart, Boolean creditOvercharges, String source) {
    }

    public record ReportList(List<Reconciler.Report> reconciliations) {
    }

    @POST
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Reconciler.Report.class)))
    public Response run(Run body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Reconciler.Source source = null;
        if (body != null && body.source() != null) {
            source = switch (body.source()) {
                case "archive" -> Reconciler.Source.ARCHIVE;
                case "topic" -> Reconciler.Source.TOPIC;
                default -> throw ProblemException.badRequest("invalid-field", "source must be archive or topic", "source");
            };
        }
        boolean credit = body != null && Boolean.TRUE.equals(body.creditOvercharges());
        Instant periodStart = body == null ? null : body.periodStart();
        Reconciler.Report r = source == null ? reconciler.run(tenant, periodStart, caller.actor(), credit)
                : reconciler.run(tenant, periodStart, caller.actor(), credit, source);
        return Response.status(201).entity(r).build();
    }

    @GET
    public ReportList list(@QueryParam("limit") Integer limit) throws Exception {
        String tenant = Caller.of(request).tenant();
        if (limit != null && (limit < 1 || limit > 100)) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 100", "limit");
        }
        return new ReportList(reports.list(tenant, limit == null ? 20 : limit));
    }

    @GET
    @Path("/{id}")
    public Reconciler.Report get(@PathParam("id") String id) throws Exception {
        return reports.get(Caller.of(request).tenant(), id);
    }
}
