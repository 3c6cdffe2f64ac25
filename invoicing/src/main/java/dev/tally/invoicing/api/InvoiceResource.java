package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.PlanChargeEntity;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.ChargeUsage;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.pricing.PerUnitPrice;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Draft invoices: the current period priced from the latest usage snapshots, explained line by line. */
@Path("/v1/customers/{externalId}/invoices")
public class InvoiceResource {
    @Inject
    UsageSnapshots usage;
    @Context
    ContainerRequestContext request;

    final Clock clock = Clock.systemUTC();

    public record DraftInvoice(String customer, String customerId, String status, String currency, Instant periodStart,
            Instant periodEnd, List<Line> lines, BigDecimal total, String rounding) {
    }

    public record Line(String meter, String description, BigDecimal quantity, long eventCount, long usageVersion,
            BigDecimal unitPrice, BigDecimal exactAmount, BigDecimal amount, List<String> explanation) {
    }

    @GET
    @Path("/draft")
    @Transactional
    public DraftInvoice draft(@PathParam("externalId") String externalId, @QueryParam("at") String at) {
        String tenant = Caller.of(request).tenant();
        CustomerEntity customer = CustomerEntity.byExternalId(tenant, externalId);
        if (customer == null) {
            throw ProblemException.notFound("unknown-customer", "no customer with externalId '" + externalId + "'");
        }
        Instant when;
        try {
            when = at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "at must be an ISO-8601 instant", "at");
        }
        BillingPeriod period = BillingPeriod.calendarMonthOf(when);
        Map<String, UsageSnapshots.Usage> byMeter = usage.forPeriod(tenant, customer.customerId, period.start());
        List<PlanChargeEntity> charges = PlanChargeEntity.of(tenant, customer.planKey);
        List<ChargeUsage> inputs = new ArrayList<>();
        for (PlanChargeEntity charge : charges) {
            UsageSnapshots.Usage u = byMeter.getOrDefault(charge.meterKey, new UsageSnapshots.Usage(BigDecimal.ZERO, 0, 0));
            inputs.add(new ChargeUsage(charge.meterKey, charge.description, new PerUnitPrice(charge.unitPrice), u.quantity(), u.eventCount()));
        }
        Invoice invoice = InvoiceCalculator.compute(customer.currency, period, inputs, RoundingPolicy.DEFAULT);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < invoice.lines().size(); i++) {
            InvoiceLine l = invoice.lines().get(i);
            PlanChargeEntity charge = charges.get(i);
            long version = byMeter.containsKey(charge.meterKey) ? byMeter.get(charge.meterKey).version() : 0;
            lines.add(new Line(l.meterKey(), l.description(), Decimals.normalized(l.quantity()), l.eventCount(), version,
                    Decimals.normalized(charge.unitPrice), Decimals.normalized(l.unroundedAmount()), l.amount().amount(), l.explanation().stream().map(Evaluation.Step::text).toList()));
        }
        return new DraftInvoice(externalId, customer.customerId, "draft", invoice.currency(), period.start(), period.end(), lines,
                invoice.total().amount(), RoundingPolicy.DEFAULT.mode() + ", once per line; total = sum of lines");
    }
}
