package dev.tally.invoicing.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.InvoiceDocument;
import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.billing.PeriodCloser;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.reconcile.AcceptedReplay;
import dev.tally.invoicing.reconcile.Reconciler;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.Recount;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.terms.PeriodTerms;
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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

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
    PeriodCloser closer;
    @Inject
    Reconciler reconciler;
    @Inject
    AcceptedReplay replay;
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
    public record InvoiceList(List<Invoices.View> invoices, long total, int offset, int limit, String sort) {
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
        Invoices.Filter filter = new Invoices.Filter(customer == null ? null : CustomerService.byExternalId(tenant, customer).customerId, status,
                number == null || number.isBlank() ? null : number.strip(), Invoices.Filter.periodRange(periodStart),
                sort == null ? "-periodStart" : sort);
        int n = limit == null ? 100 : limit;
        int skip = offset == null ? 0 : offset;
        try (Connection c = dataSource.getConnection()) {
            return new InvoiceList(invoices.list(c, tenant, filter, skip, n), invoices.count(c, tenant, filter), skip, n, filter.sort());
        }
    }

    @GET
    @Path("/{id}")
    @Transactional
    public Invoices.View get(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return invoices.get(c, tenant, id);
        }
    }

    /**
     * Finalizes an ended period now, without waiting for the watermark (an operator's decision, recorded as
     * {@code finalizedBy}): usage that reaches the period later is billed as an adjustment.
     */
    /** Where to look next: which service, and the request to send it (with a tenant key of read scope). */
    public record Link(String service, String method, String path) {
    }

    /** A meter as it is defined now (a meter whose published plan charges it cannot change what it counts). */
    public record MeterView(String key, String eventType, String aggregation, String property, BigDecimal percentile,
            List<FilterSpec> filters, List<String> groupBy) {
    }

    /**
     * One invoice line explained: the meter and how it aggregates, the quantity and the snapshot versions it was
     * priced from, the price steps, the exact and the rounded amount, and the way to the events: the meter's usage
     * per UTC day (with a few event ids per day) and each event's record.
     */
    public record LineExplanation(String meter, String description, MeterView definition, Instant periodStart, Instant periodEnd,
            BigDecimal quantity, long eventCount, long usageVersion, String priceModel, List<String> priceSteps, BigDecimal exactAmount,
            BigDecimal amount, Link usagePerDay, Link event) {
    }

    public record Explanation(String invoiceId, String number, String status, String customerId, String externalId, String currency,
            Instant periodStart, Instant periodEnd, List<LineExplanation> lines, List<PeriodTerms.Line> terms,
            List<InvoiceDocumentV1.Adjustment> adjustments,
            List<Link> adjustmentUsage, BigDecimal subtotal, InvoiceDocumentV1.Tax tax, BigDecimal total, String rounding, List<String> notes) {
    }

    /**
     * "Why does my bill look like this?": every line with its meter's definition, the quantity and price steps, and
     * the path to the events behind it.
     */
    /** One event behind a line: its id, event time, the value the meter read (null for COUNT), its key (UNIQUE_COUNT) and group. */
    public record LineEvents(String invoiceId, String meter, Instant periodStart, Instant periodEnd, BigDecimal recountedQuantity,
            long events, List<Recount.Event> page, String next, String note) {
    }

    /**
     * Every event behind one of the invoice's period lines, as they stand now (amendments applied, retractions gone),
     * recounted from a replay of tally.events.accepted: pages of {@code limit} (default 1000, at most 10,000) in
     * event-time order, {@code after} the last event id of the previous page. The replay reads the whole topic (only
     * this customer's records are parsed), so this is an investigation tool, not a hot path.
     */
    @GET
    @Path("/{id}/events")
    public LineEvents events(@PathParam("id") String id, @QueryParam("meter") String meter, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit) throws Exception {
        String tenant = Caller.of(request).tenant();
        // no transaction around the replay (it may take minutes): the invoice is read on its own
        Invoices.View v;
        try (Connection c = dataSource.getConnection()) {
            v = invoices.get(c, tenant, id);
        }
        if (meter == null || v.lines().stream().noneMatch(l -> meter.equals(l.meter()))) {
            throw ProblemException.badRequest("invalid-field", "meter must be one of the invoice's lines: "
                    + v.lines().stream().map(InvoiceDocumentV1.Line::meter).toList(), "meter");
        }
        if (limit != null && (limit < 1 || limit > 10_000)) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 10000", "limit");
        }
        MeterDefinition def = reconciler.definition(tenant, meter);
        Recount recount = replay.replayCustomer(tenant, v.customerId(), v.periodStart(), Duration.ofMinutes(5));
        List<Recount.Event> all = recount.events(def, v.customerId(), v.periodStart());
        BigDecimal quantity = recount.count(List.of(def), 0).entrySet().stream()
                .filter(e -> e.getKey().customerId().equals(v.customerId()) && e.getKey().periodStart().equals(v.periodStart()))
                .map(e -> e.getValue().quantity()).findFirst().orElse(BigDecimal.ZERO);
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).eventId().equals(after)) {
                    from = i + 1;
                    break;
                }
            }
            if (from < 0) {
                throw ProblemException.badRequest("invalid-field", "after must be the last event id of the previous page", "after");
            }
        }
        int n = limit == null ? 1000 : limit;
        List<Recount.Event> page = all.subList(Math.min(from, all.size()), Math.min(from + n, all.size()));
        String next = from + n < all.size() ? page.get(page.size() - 1).eventId() : null;
        return new LineEvents(v.invoiceId(), meter, v.periodStart(), v.periodEnd(), Decimals.normalized(quantity),
                all.size(), page, next, "the events as they stand now; the line was priced from quantity " + v.lines().stream()
                        .filter(l -> meter.equals(l.meter())).findFirst().orElseThrow().quantity().toPlainString()
                        + " when the invoice was finalized — usage that arrived later is billed as adjustments on later invoices");
    }

    /** The invoice as a printable HTML page (the stored document rendered; no scripts, no external resources). */
    @GET
    @Path("/{id}/document.html")
    @Produces(MediaType.TEXT_HTML)
    @Transactional
    public Response html(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return Response.ok(InvoiceDocument.html(invoices.get(c, tenant, id)), "text/html; charset=utf-8")
                    .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'").build();
        }
    }

    /** The invoice as a PDF: the same rows as the HTML page. */
    @GET
    @Path("/{id}/document.pdf")
    @Produces("application/pdf")
    @Transactional
    public Response pdf(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            Invoices.View v = invoices.get(c, tenant, id);
            return Response.ok(InvoiceDocument.pdf(v), "application/pdf")
                    .header("Content-Disposition", "inline; filename=\"" + v.number() + ".pdf\"").build();
        }
    }

    @GET
    @Path("/{id}/explain")
    @Transactional
    public Explanation explain(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        Invoices.View v;
        try (Connection c = dataSource.getConnection()) {
            v = invoices.get(c, tenant, id);
        }
        List<LineExplanation> lines = new ArrayList<>();
        for (InvoiceDocumentV1.Line l : v.lines()) {
            lines.add(new LineExplanation(l.meter(), l.description(), definition(tenant, l.meter()), v.periodStart(), v.periodEnd(), l.quantity(),
                    l.eventCount(), l.usageVersion(), l.priceModel(), l.explanation(), l.exactAmount(), l.amount(),
                    usage(v.customerId(), l.meter(), v.periodStart(), v.periodEnd()), new Link("ingest", "GET", "/v1/events/{eventId}")));
        }
        List<Link> adjustmentUsage = v.adjustments().stream().map(a -> a.meter().contains(":") ? null
                : usage(v.customerId(), a.meter(), a.periodStart(), a.periodEnd())).toList();
        return new Explanation(v.invoiceId(), v.number(), v.status(), v.customerId(), v.externalId(), v.currency(), v.periodStart(),
                v.periodEnd(), lines, v.terms(), v.adjustments(), adjustmentUsage, v.subtotal(), v.tax(), v.total(), v.rounding(), List.of(
                        "quantity is the meter's total over the period (over all groups for a grouped meter), from rating's usage snapshots;"
                                + " usageVersion grows with every change to them",
                        "usagePerDay lists the quantity per UTC day of event time and a few event ids per day; days at a period boundary"
                                + " that is not midnight UTC also hold events of the neighbouring period",
                        "each line is rounded once (" + v.rounding() + "); adjustments bill usage that reached an earlier period after its"
                                + " invoice, and the change it makes to that period's discounts and minimum commitment",
                        "terms: fixed fees prorated by seconds over the part of the period each plan version was in force; then the"
                                + " discounts, in order, on usage plus fixed fees; then the true-up to the minimum commitment",
                        "every event behind a line: GET /v1/invoices/" + v.invoiceId() + "/events?meter=<meter> (recounted from the accepted"
                                + " events; each id leads to ingest's GET /v1/events/{id})"));
    }

    private Link usage(String customerId, String meter, Instant from, Instant to) {
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(to.minusNanos(1), ZoneOffset.UTC);
        return new Link("rating", "GET", "/v1/customers/" + customerId + "/usage?meter=" + meter + "&from=" + first + "&to=" + last.plusDays(1));
    }

    private MeterView definition(String tenant, String meter) throws Exception {
        MeterEntity m = MeterEntity.get(tenant, meter);
        if (m == null) {
            return null;
        }
        return new MeterView(m.meterKey, m.eventType, m.aggregation, m.property, m.percentile,
                json.readValue(m.filtersJson, new TypeReference<List<FilterSpec>>() { }),
                json.readValue(m.groupByJson, new TypeReference<List<String>>() { }));
    }

    @POST
    @Path("/close")
    @Transactional
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
            return Response.status(201).entity(invoices.get(c, tenant, content.invoiceId())).build();
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
    public Invoices.View voidInvoice(@PathParam("id") String id, VoidRequest body) throws Exception {
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
    public Response reissue(@PathParam("id") String id) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        try (Connection c = dataSource.getConnection()) {
            PeriodCloser.lock(c, tenant);
            Invoices.View voided = invoices.get(c, tenant, id);
            if (!InvoiceStatus.VOID.is(voided.status())) {
                throw ProblemException.conflict("invoice-not-void", "invoice " + voided.number() + " is " + voided.status()
                        + "; only a void invoice is reissued", null);
            }
            BillingPeriod period = new BillingPeriod(voided.periodStart(), voided.periodEnd());
            // a period that already has a live invoice (an earlier reissue) fails the live-period unique index: 409 below
            Subscription s = SubscriptionService.load(SubscriptionEntity.get(tenant, voided.subscriptionId()));
            CustomerEntity customer = CustomerEntity.findById(new CustomerEntity.Key(tenant, voided.customerId()));
            InvoiceDocumentV1 content = invoices.finalizePeriod(c, tenant, new Invoices.Customer(customer.customerId, customer.externalId,
                    customer.currency, customer.taxRegion), s, period, caller.actor(), id, clock.instant());
            return Response.status(201).entity(invoices.get(c, tenant, content.invoiceId())).build();
        } catch (SQLException e) {
            throw alreadyInvoiced(e);
        }
    }

    @POST
    @Path("/{id}/payments")
    @Transactional
    public Invoices.View pay(@PathParam("id") String id, PaymentRequest body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        try (Connection c = dataSource.getConnection()) {
            return invoices.pay(c, caller.tenant(), id, body.reference(), body.amount(), caller.actor(), clock.instant());
        }
    }
}
