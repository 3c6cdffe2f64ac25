package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.security.Caller;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The tenant's tax rates, one per tax region (matched against a customer's {@code taxRegion}): applied when an
 * invoice is finalized (and shown on drafts); the rate applied is copied onto the invoice. Audited.
 */
@Path("/v1/tax-rates")
@Produces(MediaType.APPLICATION_JSON)
public class TaxRateResource {
    @Inject
    DataSource dataSource;
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
        List<TaxRate> out = new ArrayList<>();
        List<DatedRate> scheduled = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select distinct on (region) region, name, rate_percent, inclusive from tax_rate where tenant_id = ? and effective_from <= now()
                order by region, effective_from desc""")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TaxRate(rs.getString(1), rs.getString(2), dev.tally.invoicing.tax.TableTaxProvider.plain(rs.getBigDecimal(3)), rs.getBoolean(4)));
                }
            }
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select region, name, rate_percent, inclusive, effective_from from tax_rate where tenant_id = ? and effective_from > now()
                order by region, effective_from""")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    scheduled.add(new DatedRate(rs.getString(1), rs.getString(2), dev.tally.invoicing.tax.TableTaxProvider.plain(rs.getBigDecimal(3)),
                            rs.getBoolean(4), rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return new Rates(out, scheduled);
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
            rate = new TaxRate(region, name, dev.tally.invoicing.tax.TableTaxProvider.plain(body.ratePercent()), body.inclusive());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-field", e.getMessage(), "ratePercent");
        }
        Instant now = Instant.now();
        if (body.effectiveFrom() != null && body.effectiveFrom().isBefore(now.minusSeconds(300))) {
            throw ProblemException.badRequest("invalid-field", "effectiveFrom cannot be in the past: invoices already finalized keep the rate"
                    + " they applied, and a past date would change drafts only", "effectiveFrom");
        }
        Instant from = body.effectiveFrom() == null || body.effectiveFrom().isBefore(now) ? now : body.effectiveFrom();
        TaxRate before = current(tenant, region);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into tax_rate (tenant_id, region, name, rate_percent, inclusive, effective_from) values (?, ?, ?, ?, ?, ?)
                on conflict (tenant_id, region, effective_from) do update set name = excluded.name, rate_percent = excluded.rate_percent,
                  inclusive = excluded.inclusive, updated_at = now()""")) {
            ps.setString(1, tenant);
            ps.setString(2, region);
            ps.setString(3, name);
            ps.setBigDecimal(4, rate.ratePercent());
            ps.setBoolean(5, rate.inclusive());
            ps.setTimestamp(6, java.sql.Timestamp.from(from));
            ps.executeUpdate();
        }
        java.util.Map<String, Object> after = new java.util.LinkedHashMap<>();
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
        TaxRate before = current(tenant, region);
        if (before == null) {
            throw ProblemException.notFound("tax-rate-not-found", "no tax rate for region '" + region + "'");
        }
        // the region is no longer taxed: every row of it, scheduled ones included
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from tax_rate where tenant_id = ? and region = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, region);
            ps.executeUpdate();
        }
        audit.record(tenant, caller.actor(), "tax_rate", region, "delete", before, null);
        return before;
    }

    private TaxRate current(String tenant, String region) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select name, rate_percent, inclusive from tax_rate where tenant_id = ? and region = ? and effective_from <= now()
                order by effective_from desc limit 1""")) {
            ps.setString(1, tenant);
            ps.setString(2, region);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TaxRate(region, rs.getString(1), dev.tally.invoicing.tax.TableTaxProvider.plain(rs.getBigDecimal(2)), rs.getBoolean(3)) : null;
            }
        }
    }
}
