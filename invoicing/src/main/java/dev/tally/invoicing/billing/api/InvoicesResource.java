package dev.tally.invoicing.billing.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.billing.InvoiceDocument;
import dev.tally.invoicing.billing.InvoiceExplainer;
import dev.tally.invoicing.billing.InvoiceFilter;
import dev.tally.invoicing.billing.InvoiceStore;
import dev.tally.invoicing.billing.InvoiceView;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.billing.PeriodCloser;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.subscription.Subscription;
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
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Finalized invoices of the caller's tenant: list, read, force a period's close, void (with a reason),
 * reissue a voided period, and record an offline payment. Periods close on their own once rating's
 * watermark passes their end plus the tenant's grace period ({@link PeriodCloser}).
 */
@Path("/v1/invoices")
@Produces(MediaType.APPLICATION_JSON)
public class InvoicesResource {
    private static final Set<String> STATUSES = Arrays.stream(InvoiceStatus.values()).map(InvoiceStatus::wire).collect(Collectors.toSet());

    @Inject
    DataSource dataSource;
    @Inject
    Invoices invoices;
    @Inject
    InvoiceStore invoiceStore;
    @Inject
    PeriodCloser closer;
    @Inject
    InvoiceExplainer explainer;
    @Inject
    ObjectMapper json;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    /** {@code customer}: external id; {@code periodStart}: which ended period (default: the oldest without an invoice). */
    public record CloseRequest(String customer, Instant periodStart) {
    }

    public record VoidRequest(String reason) {
    }

    /** An offline payment: the provider's reference (e.g. a bank transfer id) and the amount, which must be the total. */
    public record PaymentRequest(String reference, BigDecimal amount) {
    }

    /** A page of invoices; {@code total} counts every invoice the filters match. */
    public record InvoiceList(List<InvoiceView> invoices, long total, int offset, int limit, String sort) {
    }

    /**
     * @param customer    external id (default: every customer)
     * @param status      finalized, paid or void
     * @param number      the invoice number, or its beginning (case-insensitive)
     * @param periodStart invoices whose period starts on this UTC day (yyyy-mm-dd) or in this month (yyyy-mm)
     * @param sort        -periodStart (default: newest period first), periodStart, number, -number, total, -total
     * @param offset      rows to skip (default 0)
     * @param limit       at most this many (default 100, at most 1000)
     */
    @GET
    @Transactional
    public InvoiceList list(@QueryParam("customer") String customer, @QueryParam("status") String status, @QueryParam("number") String number,
            @QueryParam("periodStart") String periodStart, @QueryParam("sort") String sort, @QueryParam("offset") Integer offset,
            @QueryParam("limit") Integer limit) throws Exception {
        String tenant = Caller.of(request).tenant();
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("invalid-field", "status must be one of " + STATUSES, "status");
        }
        if (limit != null && (limit < 1 || limit > 1000)) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 1000", "limit");
        }
        if (offset != null && (offset < 0 || offset > 1_000_000)) {
            throw ProblemException.badRequest("invalid-field", "offset must be between 0 and 1000000", "offset");
        }
        if (number != null && number.length() > 64) {
            throw ProblemException.badRequest("invalid-field", "number: at most 64 characters", "number");
        }
        InvoiceFilter filter = new InvoiceFilter(customer == null ? null : CustomerService.byExternalId(tenant, customer).customerId, status,
                number == null || number.isBlank() ? null : number.strip(), InvoiceFilter.periodRange(periodStart),
                sort == null ? "-periodStart" : sort);
        int n = limit == null ? 100 : limit;
        int skip = offset == null ? 0 : offset;
        try (Connection c = dataSource.getConnection()) {
            return new InvoiceList(invoiceStore.list(c, tenant, filter, skip, n), invoiceStore.count(c, tenant, filter), skip, n, filter.sort());
        }
    }

    @GET
    @Path("/{id}")
    @Transactional
    public InvoiceView get(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return invoiceStore.get(c, tenant, id);
        }
    }

    /**
     * Every event behind one of the invoice's period lines, as they stand now: see {@link InvoiceExplainer#events}. An
     * investigation tool, not a hot path.
     */
    @GET
    @Path("/{id}/events")
    public InvoiceExplainer.LineEvents events(@PathParam("id") String id, @QueryParam("meter") String meter, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit) throws Exception {
        return explainer.events(Caller.of(request).tenant(), id, meter, after, limit);
    }

    /** The invoice as a printable HTML page (the stored document rendered; no scripts, no external resources). */
    @GET
    @Path("/{id}/document.html")
    @Produces(MediaType.TEXT_HTML)
    @Transactional
    @APIResponse(responseCode = "200", description = "the document", content = @Content(mediaType = "text/html", schema = @Schema(implementation = String.class)))
    public Response html(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return Response.ok(InvoiceDocument.html(invoiceStore.get(c, tenant, id)), "text/html; charset=utf-8")
                    .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'").build();
        }
    }

    /** The invoice as a PDF: the same rows as the HTML page. */
    @GET
    @Path("/{id}/document.pdf")
    @Produces("application/pdf")
    @Transactional
    @APIResponse(responseCode = "200", description = "the document", content = @Content(mediaType = "application/pdf", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    public Response pdf(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            InvoiceView v = invoiceStore.get(c, tenant, id);
            return Response.ok(InvoiceDocument.pdf(v), "application/pdf")
                    .header("Content-Disposition", "inline; filename=\"" + v.number() + ".pdf\"").build();
        }
    }

    /** "Why does my bill look like this?": see {@link InvoiceExplainer#explain}. */
    @GET
    @Path("/{id}/explain")
    @Transactional
    public InvoiceExplainer.Explanation explain(@PathParam("id") String id) throws Exception {
        return explainer.explain(Caller.of(request).tenant(), id);
    }

    /**
     * Finalizes an ended period now, without waiting for the watermark (an operator's decision, recorded as
     * {@code finalizedBy}): usage that reaches the period later is billed as an adjustment.
     */
    @POST
    @Path("/close")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = InvoiceView.class)))
    public Response close(CloseRequest body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        Checks.required(body.customer(), "customer");
        CustomerEntity customer = CustomerService.byExternalIdOr400(tenant, body.customer());
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            PeriodCloser.lock(c, tenant);
            List<PeriodCloser.Due> due = closer.due(tenant, now, customer.customerId).stream()
                    .sorted(Comparator.comparing(x -> x.period().start())).toList();
            if (due.isEmpty()) {
                throw ProblemException.conflict("nothing-to-close", "customer '" + body.customer() + "' has no ended billing period without an"
                        + " invoice; a period closes only after its end", "periodStart");
            }
            PeriodCloser.Due d = due.get(0);
            if (body.periodStart() != null && !d.period().start().equals(body.periodStart())) {
                // periods close in order: a later one closed first would leave the earlier one out of every close
                throw ProblemException.conflict("close-oldest-first", "the oldest ended period without an invoice starts at "
                        + d.period().start() + "; close it first", "periodStart");
            }
            InvoiceDocumentV1 content = invoices.finalizePeriod(c, tenant, d.customer(), d.subscription(), d.period(), caller.actor(), null, now);
            return Response.status(201).entity(invoiceStore.get(c, tenant, content.invoiceId())).build();
        } catch (SQLException e) {
            throw alreadyInvoiced(e);
        }
    }

    /** A concurrent close of the same period loses on the live-period unique index: 409, and its number goes back with the rollback. */
    private static RuntimeException alreadyInvoiced(SQLException e) {
        if ("23505".equals(e.getSQLState())) {
            return ProblemException.conflict("period-invoiced", "this period was finalized by a concurrent request; nothing was written", null);
        }
        return new IllegalStateException(e);
    }

    public record CloseAllResult(int finalized, double seconds) {
    }

    /**
     * Finalizes every ended period of the tenant that has no invoice yet, now (an operator's decision, as
     * {@code /close}); answers when done. The closer does the same on its own once the watermark allows.
     */
    @POST
    @Path("/close-all")
    public CloseAllResult closeAll() throws Exception {
        Caller caller = Caller.of(request);
        long t = System.nanoTime();
        Instant now = clock.instant();
        int n = closer.closeTenant(caller.tenant(), now, caller.actor(), now);
        return new CloseAllResult(n, (System.nanoTime() - t) / 1e9);
    }

    @POST
    @Path("/{id}/void")
    @Transactional
    public InvoiceView voidInvoice(@PathParam("id") String id, VoidRequest body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return invoices.voidInvoice(c, caller.tenant(), id, body.reason(), caller.actor(), clock.instant());
        }
    }

    /** A new invoice for a voided invoice's period, priced from the usage as it stands now; it points back to the voided one. */
    @POST
    @Path("/{id}/reissue")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = InvoiceView.class)))
    public Response reissue(@PathParam("id") String id) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        try (Connection c = dataSource.getConnection()) {
            PeriodCloser.lock(c, tenant);
            InvoiceView voided = invoiceStore.get(c, tenant, id);
            if (!InvoiceStatus.VOID.is(voided.status())) {
                throw ProblemException.conflict("invoice-not-void", "invoice " + voided.number() + " is " + voided.status()
                        + "; only a void invoice is reissued", null);
            }
            if (!InvoiceKind.USAGE.is(voided.kind())) {
                throw ProblemException.conflict("not-a-period-invoice", "invoice " + voided.number() + " is a " + voided.kind()
                        + " invoice; only a period's invoice is reissued (the period's own invoice bills a voided progressive one's usage)", null);
            }
            BillingPeriod period = new BillingPeriod(voided.periodStart(), voided.periodEnd());
            // a period that already has a live invoice (an earlier reissue) fails the live-period unique index: 409 below
            Subscription s = SubscriptionService.load(SubscriptionEntity.get(tenant, voided.subscriptionId()));
            CustomerEntity customer = CustomerEntity.findById(new CustomerEntity.Key(tenant, voided.customerId()));
            InvoiceDocumentV1 content = invoices.finalizePeriod(c, tenant, new Invoices.Customer(customer.customerId, customer.externalId,
                    customer.currency, customer.taxRegion), s, period, caller.actor(), id, clock.instant());
            return Response.status(201).entity(invoiceStore.get(c, tenant, content.invoiceId())).build();
        } catch (SQLException e) {
            throw alreadyInvoiced(e);
        }
    }

    @POST
    @Path("/{id}/payments")
    @Transactional
    public InvoiceView pay(@PathParam("id") String id, PaymentRequest body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return invoices.pay(c, caller.tenant(), id, body.reference(), body.amount(), caller.actor(), clock.instant());
        }
    }
}
