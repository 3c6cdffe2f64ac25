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

    /** {@code ratePercent}: e.g. 19 for 19 %, in [0, 100] with at most 4 fractional digits; {@code inclusive}: prices include it. */
    public record RateBody(String name, BigDecimal ratePercent, Boolean inclusive) {
    }

    public record Rates(List<TaxRate> rates) {
    }

    @GET
    @Transactional
    public Rates list() throws Exception {
        String tenant = Caller.of(request).tenant();
        List<TaxRate> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select region, name, rate_percent, inclusive from tax_rate where tenant_id = ? order by region")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TaxRate(rs.getString(1), rs.getString(2), dev.tally.invoicing.tax.TableTaxProvider.plain(rs.getBigDecimal(3)), rs.getBoolean(4)));
                }
            }
        }
        return new Rates(out);
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
        TaxRate before = current(tenant, region);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into tax_rate (tenant_id, region, name, rate_percent, inclusive) values (?, ?, ?, ?, ?)
                on conflict (tenant_id, region) do update set name = excluded.name, rate_percent = excluded.rate_percent,
                  inclusive = excluded.inclusive, updated_at = now()""")) {
            ps.setString(1, tenant);
            ps.setString(2, region);
            ps.setString(3, name);
            ps.setBigDecimal(4, rate.ratePercent());
            ps.setBoolean(5, rate.inclusive());
            ps.executeUpdate();
        }
        audit.record(tenant, caller.actor(), "tax_rate", region, before == null ? "create" : "update", before, rate);
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select name, rate_percent, inclusive from tax_rate where tenant_id = ? and region = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, region);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TaxRate(region, rs.getString(1), dev.tally.invoicing.tax.TableTaxProvider.plain(rs.getBigDecimal(2)), rs.getBoolean(3)) : null;
            }
        }
    }
}
