package dev.tally.invoicing.tax.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.tax.TaxRates;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.tax.TaxRate;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tenant's tax rates, one per tax region (matched against a customer's {@code taxRegion}): applied when an
 * invoice is finalized (and shown on drafts); the rate applied is copied onto the invoice. Audited.
 */
@Path("/v1/tax-rates")
@Produces(MediaType.APPLICATION_JSON)
public class TaxRateResource {
    @Inject
    TaxRates rates;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;
    @Context
    ContainerRequestContext request;

    /**
     * {@code ratePercent}: e.g. 19 for 19 %, in [0, 100] with at most 4 fractional digits; {@code inclusive}: prices
     * include it; {@code effectiveFrom}: when it starts to apply (default: now) — a later date schedules a change.
     */
    public record RateBody(String name, BigDecimal ratePercent, Boolean inclusive, Instant effectiveFrom) {
    }

    /** A rate and when it applies from (null: since before any invoice). */
    public record DatedRate(String region, String name, BigDecimal ratePercent, boolean inclusive, Instant effectiveFrom) {
    }

    /** {@code rates}: in force now, one per region; {@code scheduled}: changes that apply later. */
    public record Rates(List<TaxRate> rates, List<DatedRate> scheduled) {
    }

    @GET
    @Transactional
    public Rates list() throws Exception {
        String tenant = Caller.of(request).tenant();
        List<TaxRate> inForce = rates.inForce(tenant);
        List<DatedRate> scheduled = rates.scheduled(tenant).stream()
                .map(r -> new DatedRate(r.region(), r.name(), r.ratePercent(), r.inclusive(), r.effectiveFrom())).toList();
        return new Rates(inForce, scheduled);
    }

    @PUT
    @Path("/{region}")
    @Transactional
    public TaxRate put(@PathParam("region") String region, RateBody body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        if (!region.matches("[A-Za-z0-9-]{1,32}")) {
            throw ProblemException.badRequest("invalid-field", "a tax region is 1-32 letters, digits or '-', e.g. DE or US-CA", "region");
        }
        String name = Checks.required(body.name(), "name");
        if (name.length() > 40) {
            throw ProblemException.badRequest("invalid-field", "name: at most 40 characters", "name");
        }
        if (body.ratePercent() == null) {
            throw ProblemException.badRequest("missing-field", "ratePercent is required, e.g. 19 for 19 %", "ratePercent");
        }
        if (body.inclusive() == null) {
            throw ProblemException.badRequest("missing-field", "inclusive is required: true when prices include the tax", "inclusive");
        }
        TaxRate rate;
        try {
            rate = new TaxRate(region, name, Decimals.normalized(body.ratePercent()), body.inclusive());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-field", e.getMessage(), "ratePercent");
        }
        Instant now = clock.instant();
        if (body.effectiveFrom() != null && body.effectiveFrom().isBefore(now.minusSeconds(300))) {
            throw ProblemException.badRequest("invalid-field", "effectiveFrom cannot be in the past: invoices already finalized keep the rate"
                    + " they applied, and a past date would change drafts only", "effectiveFrom");
        }
        Instant from = body.effectiveFrom() == null || body.effectiveFrom().isBefore(now) ? now : body.effectiveFrom();
        TaxRate before = rates.current(tenant, region).orElse(null);
        rates.put(tenant, rate, from);
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("rate", rate);
        after.put("effectiveFrom", from.toString());
        audit.record(tenant, caller.actor(), "tax_rate", region, before == null ? "create" : "update", before, after);
        return rate;
    }

    @DELETE
    @Path("/{region}")
    @Transactional
    public TaxRate delete(@PathParam("region") String region) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        TaxRate before = rates.current(tenant, region).orElse(null);
        if (before == null) {
            throw ProblemException.notFound("tax-rate-not-found", "no tax rate for region '" + region + "'");
        }
        // the region is no longer taxed: every row of it, scheduled ones included
        rates.delete(tenant, region);
        audit.record(tenant, caller.actor(), "tax_rate", region, "delete", before, null);
        return before;
    }
}
