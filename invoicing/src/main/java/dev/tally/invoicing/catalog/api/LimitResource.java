package dev.tally.invoicing.catalog.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.UsageLimitEntity;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.Entitlement;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Limits (entitlements) per customer and meter, per billing period. Each change is audited and
 * published on the catalog topic in the same transaction; rating answers entitlement checks and
 * raises threshold alerts from it.
 */
@Path("/v1/customers/{externalId}/limits")
public class LimitResource {
    private static final TypeReference<List<Integer>> PERCENTS = new TypeReference<>() { };

    @Inject
    CatalogPublisher catalog;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;
    @Inject
    ObjectMapper json;
    @Context
    ContainerRequestContext request;

    /** {@code alertAt}: percentages of the limit, 1-100 (default 50, 80, 100); {@code hard}: block at the limit (default true). */
    public record LimitBody(BigDecimal limit, Boolean hard, List<Integer> alertAt) {
    }

    public record LimitView(String customer, String meter, BigDecimal limit, boolean hard, List<Integer> alertAt, Instant updatedAt) {
    }

    @GET
    @Transactional
    public List<LimitView> list(@PathParam("externalId") String externalId) {
        String tenant = Caller.of(request).tenant();
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        return UsageLimitEntity.ofCustomer(tenant, c.customerId).stream().map(l -> view(externalId, l)).toList();
    }

    @PUT
    @Path("/{meter}")
    @Transactional
    public LimitView put(@PathParam("externalId") String externalId, @PathParam("meter") String meter, LimitBody body) {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        if (MeterEntity.get(tenant, meter) == null) {
            throw ProblemException.notFound("unknown-meter", "no meter '" + meter + "'");
        }
        if (body.limit() == null) {
            throw ProblemException.badRequest("missing-field", "limit is required (a positive quantity in the meter's unit)", "limit");
        }
        Entitlement e;
        try {
            e = new Entitlement(body.limit(), body.hard() == null || body.hard(), body.alertAt());
        } catch (IllegalArgumentException x) {
            throw ProblemException.badRequest("invalid-field", x.getMessage(), body.limit().signum() <= 0 ? "limit" : "alertAt");
        }
        UsageLimitEntity l = UsageLimitEntity.get(tenant, c.customerId, meter);
        LimitView before = l == null ? null : view(externalId, l);
        if (l == null) {
            l = new UsageLimitEntity();
            l.tenantId = tenant;
            l.customerId = c.customerId;
            l.meterKey = meter;
        }
        l.limitQuantity = e.limit();
        l.hard = e.hard();
        l.alertAtJson = text(e.alertAt());
        l.updatedAt = clock.instant();
        l.persistAndFlush();
        LimitView after = view(externalId, l);
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(tenant, c.customerId, meter, e.limit(), e.hard(), e.alertAt(), false)));
        audit.record(tenant, caller.actor(), "limit", c.customerId + "/" + meter, before == null ? "create" : "update", before, after);
        return after;
    }

    @DELETE
    @Path("/{meter}")
    @Transactional
    @APIResponse(responseCode = "204", description = "done; no body")
    public Response delete(@PathParam("externalId") String externalId, @PathParam("meter") String meter) {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        UsageLimitEntity l = UsageLimitEntity.get(tenant, c.customerId, meter);
        if (l == null) {
            throw ProblemException.notFound("unknown-limit", "customer '" + externalId + "' has no limit on '" + meter + "'");
        }
        LimitView before = view(externalId, l);
        l.delete();
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(tenant, c.customerId, meter, before.limit(), before.hard(),
                before.alertAt(), true)));
        audit.record(tenant, caller.actor(), "limit", c.customerId + "/" + meter, "delete", before, null);
        return Response.noContent().build();
    }

    private LimitView view(String externalId, UsageLimitEntity l) {
        try {
            return new LimitView(externalId, l.meterKey, l.limitQuantity.stripTrailingZeros(), l.hard, json.readValue(l.alertAtJson, PERCENTS),
                    l.updatedAt);
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
    }

    private String text(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
    }
}
