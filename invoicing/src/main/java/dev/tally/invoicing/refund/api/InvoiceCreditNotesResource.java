package dev.tally.invoicing.refund.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.billing.InvoiceStore;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.refund.CreditNoteService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.model.terms.CreditNotes;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Credit notes of the caller's tenant: against a finalized or paid invoice, per line or whole, with a reason;
 * SLA credits (a rule: a percentage of every line, waiting for a finance approval above the tenant's threshold).
 * What a note does with its total — off what is due, refunded, or credited back — is decided when it is issued
 * (see {@link CreditNotes#settle}).
 */
@Path("/v1/invoices/{id}/credit-notes")
@Produces(MediaType.APPLICATION_JSON)
public class InvoiceCreditNotesResource {
    @Inject
    DataSource dataSource;
    @Inject
    CreditNoteService notes;
    @Inject
    Invoices invoices;
    @Inject
    InvoiceStore invoiceStore;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    /** A line to credit: {@code line:<meter>} or {@code adjustment:<invoiceId>:<meter>}, and the amount (at most what is left of it). */
    public record LineRequest(String line, BigDecimal amount) {
    }

    /**
     * {@code lines} absent: credit everything left on the invoice. {@code settleTo}: what of the total is not taken
     * off the amount due goes to a {@code refund} (default) or back to the customer as prepaid {@code credit}.
     */
    public record NewCreditNote(List<LineRequest> lines, String reason, String settleTo) {
    }

    /** An SLA credit: {@code percent} of every line, for the incident named. */
    public record SlaCredit(BigDecimal percent, String incident, String settleTo) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreditNoteService.View.class)))
    @APIResponse(responseCode = "202", description = "accepted: waits for approval", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreditNoteService.View.class)))
    public Response create(@PathParam("id") String invoiceId, NewCreditNote body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        List<CreditNotes.Requested> lines = null;
        if (body.lines() != null) {
            lines = new ArrayList<>();
            for (int i = 0; i < body.lines().size(); i++) {
                LineRequest l = body.lines().get(i);
                if (l == null) {
                    throw ProblemException.badRequest("invalid-field", "lines[" + i + "] is null", "lines[" + i + "]");
                }
                lines.add(new CreditNotes.Requested(Checks.required(l.line(), "lines[" + i + "].line"), l.amount()));
            }
            if (lines.size() > 1000) {
                throw ProblemException.badRequest("invalid-field", "at most 1000 lines", "lines");
            }
        }
        try (Connection c = dataSource.getConnection()) {
            CreditNoteService.View v = notes.create(c, caller.tenant(), invoiceId, lines, body.reason(), body.settleTo(), CreditNoteService.MANUAL,
                    caller.needsFinanceApproval(), caller.actor(), clock.instant());
            return Response.status(CreditNoteStatus.PENDING_APPROVAL.is(v.status()) ? 202 : 201).entity(v).build();
        }
    }

    /**
     * An automated credit note (rule {@code rule:sla}): {@code percent} of every line, each rounded once; issued at
     * once up to the tenant's approval threshold, else pending until finance approves it.
     */
    @POST
    @Path("/sla")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreditNoteService.View.class)))
    @APIResponse(responseCode = "202", description = "accepted: waits for approval", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreditNoteService.View.class)))
    public Response slaCredit(@PathParam("id") String invoiceId, SlaCredit body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        String incident = Checks.required(body.incident(), "incident");
        if (incident.length() > 500) {
            throw ProblemException.badRequest("invalid-field", "incident: at most 500 characters", "incident");
        }
        try (Connection c = dataSource.getConnection()) {
            List<CreditNotes.Requested> lines;
            try {
                lines = CreditNotes.percentOf(notes.creditable(c, tenant, invoiceStore.get(c, tenant, invoiceId)), body.percent(), RoundingPolicy.DEFAULT);
            } catch (CreditNotes.Refused e) {
                throw ProblemException.unprocessable("credit-refused", e.getMessage(), e.field());
            }
            String reason = "SLA credit " + body.percent().stripTrailingZeros().toPlainString() + " %: " + incident;
            CreditNoteService.View v = notes.create(c, tenant, invoiceId, lines, reason, body.settleTo(), CreditNoteService.RULE_SLA, true, caller.actor(),
                    clock.instant());
            return Response.status(CreditNoteStatus.PENDING_APPROVAL.is(v.status()) ? 202 : 201).entity(v).build();
        }
    }

    @GET
    @Transactional
    public CreditNotesResource.CreditNoteList ofInvoice(@PathParam("id") String invoiceId) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            invoiceStore.get(c, tenant, invoiceId); // 404 for another tenant's invoice
            return new CreditNotesResource.CreditNoteList(notes.list(c, tenant, invoiceId, null));
        }
    }
}
