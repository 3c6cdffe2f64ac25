package dev.tally.invoicing.refund.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.invoicing.refund.CreditNoteService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.ClosedSet;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Finance's side of automated credit notes: the notes rules created above a tenant's threshold wait here until an
 * admin user with the {@code finance} role approves (issues and settles them) or rejects them, with a note.
 */
@Path("/v1/admin/tenants/{tenantId}/credit-notes")
@Produces(MediaType.APPLICATION_JSON)
public class AdminCreditNotesResource {
    @Inject
    DataSource dataSource;
    @Inject
    CreditNoteService notes;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    public record Decision(String note) {
    }

    @GET
    @Transactional
    public CreditNotesResource.CreditNoteList list(@PathParam("tenantId") String tenantId, @QueryParam("status") String status) throws Exception {
        tenant(tenantId);
        if (status != null && !ClosedSet.wires(CreditNoteStatus.class).contains(status)) {
            throw ProblemException.badRequest("invalid-field", "status must be pending_approval, issued or rejected", "status");
        }
        try (Connection c = dataSource.getConnection()) {
            return new CreditNotesResource.CreditNoteList(notes.list(c, tenantId, null, status == null ? CreditNoteStatus.PENDING_APPROVAL.wire() : status));
        }
    }

    @POST
    @Path("/{id}/approve")
    @Transactional
    public CreditNoteService.View approve(@PathParam("tenantId") String tenantId, @PathParam("id") String id, Decision body) throws Exception {
        Caller caller = Caller.of(request);
        caller.requireRole("finance");
        tenant(tenantId);
        try (Connection c = dataSource.getConnection()) {
            return notes.approve(c, tenantId, id, caller.actor(), body == null ? null : body.note(), clock.instant());
        }
    }

    @POST
    @Path("/{id}/reject")
    @Transactional
    public CreditNoteService.View reject(@PathParam("tenantId") String tenantId, @PathParam("id") String id, Decision body) throws Exception {
        Caller caller = Caller.of(request);
        caller.requireRole("finance");
        tenant(tenantId);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return notes.reject(c, tenantId, id, caller.actor(), body.note(), clock.instant());
        }
    }

    private static void tenant(String tenantId) {
        if (TenantEntity.findById(tenantId) == null) {
            throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
        }
    }
}
