package dev.tally.invoicing.catalog;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Customers' negotiated prices ({@link PriceOverride}): created and ended in the caller's transaction, each change
 * published on the catalog topic (rating prices spend with them) and audited. Neither may reach back into a period
 * already invoiced: an override starts, and ends, no earlier than the end of the customer's last invoiced period — so a
 * finalized invoice, and the late usage of its period, keep the prices they were made with.
 */
@ApplicationScoped
public class PriceOverrideService {
    @Inject
    PriceOverrideStore store;
    @Inject
    PlanService plans;
    @Inject
    CatalogPublisher catalog;
    @Inject
    AuditLog audit;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    /** What a caller asks for; {@code plan} and {@code subscription} narrow it, {@code effectiveFrom} defaults to now. */
    public record Requested(String meter, PlanSpec.PriceSpec price, String plan, String subscription, Instant effectiveFrom,
            Instant effectiveUntil, String reason) {
    }

    public PriceOverride create(String tenantId, CustomerEntity customer, Requested r, String actor) throws Exception {
        if (r.price() == null) {
            throw ProblemException.badRequest("invalid-field", "price is required: a price as a plan's charge has it", "price");
        }
        plans.validateCharge(tenantId, customer.currency, r.meter(), r.price());
        if (r.plan() != null && PlanEntity.get(tenantId, r.plan()) == null) {
            throw ProblemException.badRequest("unknown-plan", "no plan '" + r.plan() + "'", "plan");
        }
        if (r.subscription() != null) {
            SubscriptionEntity s = SubscriptionEntity.get(tenantId, r.subscription());
            if (s == null || !s.customerId.equals(customer.customerId)) {
                throw ProblemException.badRequest("unknown-subscription", "customer '" + customer.externalId + "' has no subscription '"
                        + r.subscription() + "'", "subscription");
            }
        }
        if (r.reason() != null && r.reason().length() > 1000) {
            throw ProblemException.badRequest("invalid-field", "reason must be at most 1000 characters", "reason");
        }
        Instant from = r.effectiveFrom() == null ? clock.instant() : r.effectiveFrom();
        if (r.effectiveUntil() != null && !r.effectiveUntil().isAfter(from)) {
            throw ProblemException.badRequest("invalid-field", "effectiveUntil must be after effectiveFrom (" + from + ")", "effectiveUntil");
        }
        PriceOverride o = new PriceOverride("po_" + UUID.randomUUID().toString().replace("-", ""), customer.customerId, r.subscription(),
                r.plan(), r.meter(), r.price(), from, r.effectiveUntil(), r.reason());
        try (Connection c = dataSource.getConnection()) {
            requireAfterInvoiced(c, tenantId, customer, from, "effectiveFrom");
            store.insert(c, tenantId, o, actor);
        }
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.PriceOverrideState(tenantId, o)));
        audit.record(tenantId, actor, "price_override", o.overrideId(), "create", null, o);
        return o;
    }

    /** Ends an override at {@code until} (default now): from then on the plan's price applies again. */
    public PriceOverride end(String tenantId, CustomerEntity customer, String overrideId, Instant until, String actor) throws Exception {
        Instant at = until == null ? clock.instant() : until;
        try (Connection c = dataSource.getConnection()) {
            PriceOverride o = store.lock(c, tenantId, overrideId);
            if (o == null || !o.customerId().equals(customer.customerId)) {
                throw ProblemException.notFound("unknown-price-override", "customer '" + customer.externalId + "' has no price override '"
                        + overrideId + "'");
            }
            if (o.effectiveUntil() != null && !o.effectiveUntil().isAfter(at)) {
                throw ProblemException.conflict("override-ended", "price override " + overrideId + " already ends at " + o.effectiveUntil(),
                        "effectiveUntil");
            }
            if (!at.isAfter(o.effectiveFrom())) {
                throw ProblemException.badRequest("invalid-field", "the end must be after the override's start " + o.effectiveFrom(),
                        "effectiveUntil");
            }
            requireAfterInvoiced(c, tenantId, customer, at, "effectiveUntil");
            store.end(c, tenantId, overrideId, at, actor);
            PriceOverride ended = o.endedAt(at);
            catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.PriceOverrideState(tenantId, ended)));
            audit.record(tenantId, actor, "price_override", overrideId, "end", Map.of("effectiveUntil", String.valueOf(o.effectiveUntil())),
                    Map.of("effectiveUntil", at.toString()));
            return ended;
        }
    }

    public List<PriceOverride> list(String tenantId, CustomerEntity customer) {
        return store.ofCustomer(tenantId, customer.customerId);
    }

    /** An override may not change the price of a period a live invoice already billed. */
    private static void requireAfterInvoiced(Connection c, String tenantId, CustomerEntity customer, Instant at, String field) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select max(period_end) from invoice where tenant_id = ? and customer_id = ? and status <> 'void' and kind = 'usage'")) {
            ps.setString(1, tenantId);
            ps.setString(2, customer.customerId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp invoicedUntil = rs.getTimestamp(1);
                if (invoicedUntil != null && at.isBefore(invoicedUntil.toInstant())) {
                    throw ProblemException.conflict("period-invoiced", "customer '" + customer.externalId + "' is invoiced until "
                            + invoicedUntil.toInstant() + "; a price override cannot start or end before that (" + at + "): a finalized "
                            + "invoice keeps the prices it was made with (credit notes correct it)", field);
                }
            }
        }
    }
}
