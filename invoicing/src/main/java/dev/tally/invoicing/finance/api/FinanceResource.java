package dev.tally.invoicing.finance.api;

import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.finance.Revenue;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Finance's figures for the caller's tenant (docs/finance.md), read-only: revenue by month and currency (and plan) from
 * the finalized invoices and credit notes, what each meter billed, and usage per period, meter and customer. Months are
 * {@code YYYY-MM} (UTC), at most {@value #MAX_MONTHS} per request; default: the last twelve, this one included.
 */
@Path("/v1/finance")
public class FinanceResource {
    static final int MAX_MONTHS = 36;
    @Inject
    Revenue revenue;
    @Inject
    Clock clock;
    @Context
    ContainerRequestContext request;

    /** The months asked for and the rows. */
    public record RevenueReport(String from, String to, String by, List<Revenue.Row> rows) {
    }

    public record MeterReport(String from, String to, List<Revenue.MeterRow> rows) {
    }

    /** {@code truncated}: more than 10,000 rows matched; narrow by meter, customer or months. */
    public record UsageReport(String from, String to, String meter, String customer, boolean truncated, List<Revenue.UsageRow> rows) {
    }

    @GET
    @Path("/revenue")
    public RevenueReport revenue(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("by") String by) throws Exception {
        String tenant = Caller.of(request).tenant();
        YearMonth[] months = months(from, to);
        String grouping = by == null ? "month" : by;
        if (!grouping.equals("month") && !grouping.equals("plan")) {
            throw ProblemException.badRequest("invalid-field", "by must be month or plan", "by");
        }
        return new RevenueReport(months[0].toString(), months[1].toString(), grouping, revenue.byMonth(tenant, months[0], months[1],
                grouping.equals("plan")));
    }

    @GET
    @Path("/revenue/meters")
    public MeterReport meters(@QueryParam("from") String from, @QueryParam("to") String to) throws Exception {
        String tenant = Caller.of(request).tenant();
        YearMonth[] months = months(from, to);
        return new MeterReport(months[0].toString(), months[1].toString(), revenue.byMeter(tenant, months[0], months[1]));
    }

    @GET
    @Path("/usage")
    public UsageReport usage(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("meter") String meter,
            @QueryParam("customer") String customer) throws Exception {
        String tenant = Caller.of(request).tenant();
        YearMonth[] months = months(from, to);
        String customerId = customer == null ? null
                : QuarkusTransaction.requiringNew().call(() -> CustomerService.byExternalId(tenant, customer).customerId);
        List<Revenue.UsageRow> rows = revenue.usage(tenant, months[0], months[1], meter, customerId);
        boolean truncated = rows.size() > 10_000;
        return new UsageReport(months[0].toString(), months[1].toString(), meter, customer, truncated, truncated ? rows.subList(0, 10_000) : rows);
    }

    /** {@code from} and {@code to} as months (default: the last twelve, this one included); 400 naming the field when wrong. */
    private YearMonth[] months(String from, String to) {
        YearMonth now = Revenue.month(clock.instant());
        YearMonth last = to == null ? now : month(to, "to");
        YearMonth first = from == null ? last.minusMonths(11) : month(from, "from");
        if (last.isBefore(first) || first.plusMonths(MAX_MONTHS).isBefore(last.plusMonths(1))) {
            throw ProblemException.badRequest("invalid-field", "to must be on or after from, at most " + MAX_MONTHS + " months in all", "to");
        }
        return new YearMonth[] {first, last};
    }

    private static YearMonth month(String value, String field) {
        try {
            return YearMonth.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", field + " must be a month, YYYY-MM", field);
        }
    }
}
