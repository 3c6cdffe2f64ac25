package dev.tally.invoicing.refund.api;

import dev.tally.invoicing.refund.CreditNoteService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.ClosedSet;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** The caller's tenant's credit notes, of every invoice: list (by status) and read. */
@Path("/v1/credit-notes")
@Produces(MediaType.APPLICATION_JSON)
public class CreditNotesResource {
    private static final Set<String> STATUSES = Set.copyOf(ClosedSet.wires(CreditNoteStatus.class));

    @Inject
    DataSource dataSource;
    @Inject
    CreditNoteService notes;
    @Context
    ContainerRequestContext request;

    public record CreditNoteList(List<CreditNoteService.View> creditNotes) {
    }

    @GET
    @Transactional
    public CreditNoteList list(@QueryParam("status") String status) throws Exception {
        String tenant = Caller.of(request).tenant();
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("invalid-field", "status must be one of " + STATUSES, "status");
        }
        try (Connection c = dataSource.getConnection()) {
            return new CreditNoteList(notes.list(c, tenant, null, status));
        }
    }

    @GET
    @Path("/{id}")
    @Transactional
    public CreditNoteService.View get(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return notes.get(c, tenant, id);
        }
    }
}
