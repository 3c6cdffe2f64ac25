package dev.tally.invoicing.billing.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.billing.ProgressiveInvoices;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A customer's progressive billing threshold: once its usage charges in the open period reach it (above what the
 * period's progressive invoices billed), a progressive invoice bills them, checked every 30 s
 * ({@code tally.progressive.check-every}) or at once ({@code POST …/check}); the period's invoice deducts them.
 */
@Path("/v1/customers/{externalId}/billing-threshold")
public class ThresholdResource {
    @Inject
    ProgressiveInvoices progressive;
    @Inject
    AuditLog audit;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Context
    ContainerRequestContext request;

    /** {@code amount}: in the customer's currency, positive. */
    public record ThresholdBody(BigDecimal amount) {
    }

    public record ThresholdView(String customer, String currency, BigDecimal amount) {
    }

    /** What a check did: the progressive invoice it issued, or null. */
    public record Checked(String customer, InvoiceDocumentV1 issued) {
    }

    @GET
    @Transactional
    public ThresholdView get(@PathParam("externalId") String externalId) throws Exception {
        String tenant = Caller.of(request).tenant();
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        try (Connection conn = dataSource.getConnection()) {
            BigDecimal amount = progressive.threshold(conn, tenant, c.customerId);
            if (amount == null) {
                throw ProblemException.notFound("unknown-threshold", "customer '" + externalId + "' has no billing threshold");
            }
            return new ThresholdView(externalId, c.currency, amount);
        }
    }

    @PUT
    @Transactional
    public ThresholdView put(@PathParam("externalId") String externalId, ThresholdBody body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        Checks.amount(body.amount(), c.currency, "amount", false);
        try (Connection conn = dataSource.getConnection()) {
            BigDecimal before = progressive.threshold(conn, caller.tenant(), c.customerId);
            progressive.setThreshold(conn, caller.tenant(), c.customerId, body.amount());
            audit.record(caller.tenant(), caller.actor(), "billing_threshold", c.customerId, before == null ? "create" : "update",
                    before == null ? null : Map.of("amount", before.toPlainString()), Map.of("amount", body.amount().toPlainString()));
        }
        return new ThresholdView(externalId, c.currency, body.amount());
    }

    @DELETE
    @Transactional
    @APIResponse(responseCode = "204", description = "done; no body")
    public Response delete(@PathParam("externalId") String externalId) throws Exception {
        Caller caller = Caller.of(request);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        try (Connection conn = dataSource.getConnection()) {
            BigDecimal before = progressive.threshold(conn, caller.tenant(), c.customerId);
            if (before == null) {
                throw ProblemException.notFound("unknown-threshold", "customer '" + externalId + "' has no billing threshold");
            }
            progressive.setThreshold(conn, caller.tenant(), c.customerId, null);
            audit.record(caller.tenant(), caller.actor(), "billing_threshold", c.customerId, "delete", Map.of("amount", before.toPlainString()), null);
        }
        return Response.noContent().build();
    }

    /** Checks the threshold now (the schedule does every 30 s): issues the progressive invoice if it is due. */
    @POST
    @Path("/check")
    @Transactional
    public Checked check(@PathParam("externalId") String externalId) throws Exception {
        Caller caller = Caller.of(request);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        try (Connection conn = dataSource.getConnection()) {
            return new Checked(externalId, progressive.check(conn, caller.tenant(), c.customerId, clock.instant(), caller.actor()));
        }
    }
}
