package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.SpendBudgets;
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
import java.math.BigDecimal;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A customer's spend budget per billing period, in its currency. Audited and published on the catalog
 * topic (a LIMIT on {@value CatalogRecordV1.Limit#SPEND}); rating alerts when the period's running
 * amount — priced exactly like the draft invoice — crosses each percentage.
 */
@Path("/v1/customers/{externalId}/budget")
public class BudgetResource {
    @Inject
    CatalogPublisher catalog;
    @Inject
    AuditLog audit;
    @Inject
    SpendBudgets budgets;
    @Context
    ContainerRequestContext request;

    /** {@code amount}: in the customer's currency, at most its minor-unit digits; {@code alertAt}: percentages 1-100 (default 50, 80, 100). */
    public record BudgetBody(BigDecimal amount, List<Integer> alertAt) {
    }

    public record BudgetView(String customer, String currency, BigDecimal amount, List<Integer> alertAt) {
    }

    @GET
    @Transactional
    public BudgetView get(@PathParam("externalId") String externalId) throws Exception {
        CustomerEntity c = CustomerService.byExternalId(Caller.of(request).tenant(), externalId);
        BudgetView v = load(c, externalId);
        if (v == null) {
            throw ProblemException.notFound("unknown-budget", "customer '" + externalId + "' has no spend budget");
        }
        return v;
    }

    @PUT
    @Transactional
    public BudgetView put(@PathParam("externalId") String externalId, BudgetBody body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        Checks.amount(body.amount(), c.currency, "amount", false);
        Entitlement e;
        try {
            e = new Entitlement(body.amount(), false, body.alertAt());
        } catch (IllegalArgumentException x) {
            throw ProblemException.badRequest("invalid-field", x.getMessage(), "alertAt");
        }
        BudgetView before = load(c, externalId);
        budgets.put(caller.tenant(), c.customerId, e.limit(), e.alertAt());
        BudgetView after = new BudgetView(externalId, c.currency, e.limit().stripTrailingZeros(), e.alertAt());
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(caller.tenant(), c.customerId, CatalogRecordV1.Limit.SPEND, e.limit(),
                false, e.alertAt(), false)));
        audit.record(caller.tenant(), caller.actor(), "budget", c.customerId, before == null ? "create" : "update", before, after);
        return after;
    }

    @DELETE
    @Transactional
    @APIResponse(responseCode = "204", description = "done; no body")
    public Response delete(@PathParam("externalId") String externalId) throws Exception {
        Caller caller = Caller.of(request);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        BudgetView before = load(c, externalId);
        if (before == null) {
            throw ProblemException.notFound("unknown-budget", "customer '" + externalId + "' has no spend budget");
        }
        budgets.delete(caller.tenant(), c.customerId);
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Limit(caller.tenant(), c.customerId, CatalogRecordV1.Limit.SPEND, before.amount(),
                false, before.alertAt(), true)));
        audit.record(caller.tenant(), caller.actor(), "budget", c.customerId, "delete", before, null);
        return Response.noContent().build();
    }

    private BudgetView load(CustomerEntity c, String externalId) throws Exception {
        SpendBudgets.Budget b = budgets.get(c.tenantId, c.customerId);
        return b == null ? null : new BudgetView(externalId, c.currency, b.amount().stripTrailingZeros(), b.alertAt());
    }
}
