package dev.tally.invoicing.credit.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.billing.PurchaseInvoices;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.ClosedSet;
import dev.tally.model.money.Money;
import dev.tally.model.terms.Funding;
import dev.tally.model.terms.Instalments;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A customer's prepaid credit: grants in the customer's currency, burnt down by finalized invoices in the
 * documented order (lower priority first, then the soonest expiry, then the oldest), and the ledger of every
 * movement with the balance after it. A voided invoice gives back what it took.
 */
@Path("/v1/customers/{externalId}/credits")
@Produces(MediaType.APPLICATION_JSON)
public class CreditsResource {
    @Inject
    DataSource dataSource;
    @Inject
    AuditLog audit;
    @Inject
    CreditLedger ledger;
    @Inject
    PurchaseInvoices purchases;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    /**
     * {@code amount} in the customer's currency (at most its minor units); {@code priority} default 0; dates default now /
     * never; {@code rollover} default true — false: what is left unused when the first period the grant is usable in
     * closes lapses ("use it or lose it"). {@code funding} promotional (default: free) or purchased (a prepaid
     * commitment, a top-up): then invoiced at {@code price} (default the amount) in {@code instalments} (default 1; more
     * need {@code expiresAt}: they spread over the term), the first at once.
     */
    public record NewGrant(BigDecimal amount, Integer priority, Instant effectiveAt, Instant expiresAt, Boolean rollover, String reason,
            String funding, BigDecimal price, Integer instalments) {
    }

    /** {@code price} and {@code invoiced} (so far): a purchased grant's; null for a promotional one. */
    public record Grant(String grantId, BigDecimal amount, BigDecimal remaining, int priority, Instant effectiveAt, Instant expiresAt,
            boolean rollover, String reason, String createdBy, Instant createdAt, String funding, BigDecimal price, BigDecimal invoiced) {
    }

    public record Entry(long entryId, String grantId, String kind, BigDecimal amount, BigDecimal balanceAfter, String invoiceId, String reason,
            Instant at) {
    }

    /** {@code balance}: the credit usable now (effective, not expired). */
    public record Credit(String customerId, String externalId, String currency, BigDecimal balance, List<Grant> grants, List<Entry> ledger) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Credit.class)))
    public Response grant(@PathParam("externalId") String externalId, NewGrant body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        CustomerEntity customer = CustomerService.byExternalId(tenant, externalId);
        BigDecimal amount = Checks.amount(body.amount(), customer.currency, "amount", false).amount(); // at the currency's minor unit
        String reason = Checks.required(body.reason(), "reason");
        if (reason.length() > 500) {
            throw ProblemException.badRequest("invalid-field", "reason: at most 500 characters", "reason");
        }
        Instant now = clock.instant();
        Instant effective = body.effectiveAt() == null ? now : body.effectiveAt();
        if (body.expiresAt() != null && !body.expiresAt().isAfter(effective)) {
            throw ProblemException.badRequest("invalid-field", "expiresAt must be after effectiveAt", "expiresAt");
        }
        CreditLedger.Purchase purchase = purchase(body, customer.currency, amount, effective);
        String grantId;
        try (Connection c = dataSource.getConnection()) {
            grantId = ledger.grant(c, tenant, customer.customerId, customer.currency, amount, body.priority() == null ? 0 : body.priority(),
                    effective, body.expiresAt(), body.rollover() == null || body.rollover(), purchase, reason, caller.actor());
            if (purchase != null) {
                purchases.issueDue(c, tenant, now, caller.actor()); // the first instalment is due at the grant's start
            }
        }
        audit.record(tenant, caller.actor(), "credit_grant", grantId, "grant", null, Map.of("customerId", customer.customerId,
                "amount", amount.toPlainString(), "currency", customer.currency, "rollover", body.rollover() == null || body.rollover(), "reason", reason,
                "funding", (purchase == null ? Funding.PROMOTIONAL : Funding.PURCHASED).wire(),
                "price", purchase == null ? "" : purchase.price().amount().toPlainString()));
        return Response.status(201).entity(credit(tenant, customer)).build();
    }

    /** A purchased grant's price and instalments, or null for a promotional one; every problem named by its field. */
    private static CreditLedger.Purchase purchase(NewGrant body, String currency, BigDecimal amount, Instant effective) {
        Funding funding;
        try {
            funding = body.funding() == null ? Funding.PROMOTIONAL : Funding.of(body.funding());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-field", "funding must be one of " + ClosedSet.wires(Funding.class), "funding");
        }
        if (funding == Funding.PROMOTIONAL) {
            if (body.price() != null || body.instalments() != null) {
                throw ProblemException.badRequest("invalid-field", "a promotional grant is free: price and instalments are for purchased credit",
                        body.price() != null ? "price" : "instalments");
            }
            return null;
        }
        Money price = Checks.amount(body.price() == null ? amount : body.price(), currency, "price", true);
        int n = body.instalments() == null ? 1 : body.instalments();
        if (n < 1 || n > 120) {
            throw ProblemException.badRequest("invalid-field", "instalments must be 1 to 120", "instalments");
        }
        if (n > 1 && body.expiresAt() == null) {
            throw ProblemException.badRequest("invalid-field", "instalments spread over the grant's term: set expiresAt", "expiresAt");
        }
        return new CreditLedger.Purchase(price, Instalments.split(price, n, effective, body.expiresAt()));
    }

    @GET
    @Transactional
    public Credit get(@PathParam("externalId") String externalId) throws Exception {
        String tenant = Caller.of(request).tenant();
        return credit(tenant, CustomerService.byExternalId(tenant, externalId));
    }

    private Credit credit(String tenant, CustomerEntity customer) throws Exception {
        Instant now = clock.instant();
        List<Grant> grants = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        BigDecimal balance = BigDecimal.ZERO;
        try (Connection c = dataSource.getConnection()) {
            for (CreditLedger.GrantRow r : ledger.customerGrants(c, tenant, customer.customerId)) {
                Grant g = new Grant(r.grantId(), r.amount(), r.remaining(), r.priority(), r.effectiveAt(), r.expiresAt(), r.rollover(), r.reason(),
                        r.createdBy(), r.createdAt(), r.funding(), r.price(), r.price() == null ? null : r.invoiced());
                grants.add(g);
                if (!g.effectiveAt().isAfter(now) && (g.expiresAt() == null || now.isBefore(g.expiresAt()))) {
                    balance = balance.add(g.remaining());
                }
            }
            for (CreditLedger.EntryRow r : ledger.customerLedger(c, tenant, customer.customerId)) {
                entries.add(new Entry(r.entryId(), r.grantId(), r.kind(), r.amount(), r.balanceAfter(), r.invoiceId(), r.reason(), r.at()));
            }
        }
        return new Credit(customer.customerId, customer.externalId, customer.currency, balance, grants, entries);
    }
}
