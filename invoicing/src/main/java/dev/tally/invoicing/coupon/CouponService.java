package dev.tally.invoicing.coupon;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.model.terms.Coupons;
import dev.tally.model.terms.Discount;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Coupons and their redemptions, in the caller's transaction, each change audited. A redemption copies the coupon's
 * terms; the coupon row is locked while it is redeemed, so a redemption limit holds under concurrent redemptions.
 */
@ApplicationScoped
public class CouponService {
    private static final Pattern CODE = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,39}");

    @Inject
    CouponStore store;
    @Inject
    AuditLog audit;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    /** A discount's terms as asked for: {@code kind} percent or amount, for {@code periods} invoices (null: every one). */
    public record Terms(String kind, BigDecimal value, Integer periods) {
    }

    public CouponStore.Coupon create(String tenantId, String code, String name, Terms terms, String currency, Integer maxRedemptions,
            Instant redeemBy, String actor) throws Exception {
        if (code == null || !CODE.matcher(code).matches()) {
            throw ProblemException.badRequest("invalid-field", "code must be 1-40 capitals, digits, '_' or '-', e.g. WELCOME20", "code");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "name is required (at most 200 characters)", "name");
        }
        Discount.Kind kind = kind(terms);
        if (kind == Discount.Kind.AMOUNT) {
            amountIn(terms.value(), currency, "currency");
        } else if (currency != null) {
            throw ProblemException.badRequest("invalid-field", "a percent coupon has no currency", "currency");
        }
        if (maxRedemptions != null && maxRedemptions < 1) {
            throw ProblemException.badRequest("invalid-field", "maxRedemptions must be 1 or more (absent: no limit)", "maxRedemptions");
        }
        try (Connection c = dataSource.getConnection()) {
            if (!store.coupons(c, tenantId, code, false).isEmpty()) {
                throw ProblemException.conflict("coupon-exists", "a coupon '" + code + "' already exists", "code");
            }
            CouponStore.Coupon k = new CouponStore.Coupon(code, name, kind, terms.value(), currency, terms.periods(), maxRedemptions, redeemBy, null,
                    clock.instant(), 0);
            store.insert(c, tenantId, k, actor);
            audit.record(tenantId, actor, "coupon", code, "create", null, k);
            return store.coupons(c, tenantId, code, false).get(0);
        }
    }

    public List<CouponStore.Coupon> list(String tenantId) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return store.coupons(c, tenantId, null, false);
        }
    }

    /** No new redemptions from now on; the existing ones keep applying. */
    public CouponStore.Coupon archive(String tenantId, String code, String actor) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            CouponStore.Coupon k = locked(c, tenantId, code);
            store.archive(c, tenantId, code, clock.instant());
            audit.record(tenantId, actor, "coupon", code, "archive", Map.of("archivedAt", String.valueOf(k.archivedAt())), null);
            return store.coupons(c, tenantId, code, false).get(0);
        }
    }

    /** The customer redeems {@code code}, for all its subscriptions or one. */
    public Coupons.Redemption redeem(String tenantId, CustomerEntity customer, String code, String subscriptionId, String actor) throws Exception {
        if (code == null || code.isBlank()) {
            throw ProblemException.badRequest("missing-field", "code is required", "code");
        }
        requireSubscription(tenantId, customer, subscriptionId);
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            CouponStore.Coupon k = store.coupons(c, tenantId, code, true).stream().findFirst().orElseThrow(() ->
                    ProblemException.badRequest("unknown-coupon", "no coupon '" + code + "'", "code"));
            if (k.archivedAt() != null) {
                throw ProblemException.conflict("coupon-archived", "coupon '" + code + "' was archived at " + k.archivedAt(), "code");
            }
            if (k.redeemBy() != null && !now.isBefore(k.redeemBy())) {
                throw ProblemException.conflict("coupon-expired", "coupon '" + code + "' could be redeemed until " + k.redeemBy(), "code");
            }
            if (k.maxRedemptions() != null && k.redemptions() >= k.maxRedemptions()) {
                throw ProblemException.conflict("coupon-exhausted", "coupon '" + code + "' was redeemed its " + k.maxRedemptions() + " times", "code");
            }
            if (k.currency() != null && !k.currency().equals(customer.currency)) {
                throw ProblemException.badRequest("currency-mismatch", "coupon '" + code + "' takes " + k.currency() + " off; customer '"
                        + customer.externalId + "' is billed in " + customer.currency, "code");
            }
            boolean redeemed = store.stored(c, tenantId, List.of(customer.customerId)).stream().anyMatch(s -> code.equals(s.redemption().code()));
            if (redeemed) {
                throw ProblemException.conflict("coupon-redeemed", "customer '" + customer.externalId + "' already redeemed '" + code + "'", "code");
            }
            Coupons.Redemption r = new Coupons.Redemption(id(), code, k.name(), k.kind(), k.value(), k.periods(), subscriptionId, now, 0);
            store.redeem(c, tenantId, customer.customerId, r, actor);
            audit.record(tenantId, actor, "coupon_redemption", r.redemptionId(), "redeem", null, r);
            return r;
        }
    }

    /** A discount set directly on a subscription: a redemption without a code. */
    public Coupons.Redemption discount(String tenantId, CustomerEntity customer, String subscriptionId, String name, Terms terms, String actor)
            throws Exception {
        requireSubscription(tenantId, customer, subscriptionId);
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "name is required (at most 200 characters)", "name");
        }
        Discount.Kind kind = kind(terms);
        if (kind == Discount.Kind.AMOUNT) {
            amountIn(terms.value(), customer.currency, "value");
        }
        Coupons.Redemption r = new Coupons.Redemption(id(), null, name, kind, terms.value(), terms.periods(), subscriptionId, clock.instant(), 0);
        try (Connection c = dataSource.getConnection()) {
            store.redeem(c, tenantId, customer.customerId, r, actor);
        }
        audit.record(tenantId, actor, "coupon_redemption", r.redemptionId(), "discount", null, r);
        return r;
    }

    /** A customer's redemptions and discounts, with how many invoices applied each. */
    public List<Coupons.Redemption> redemptions(String tenantId, CustomerEntity customer) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return store.redemptions(c, tenantId, List.of(customer.customerId)).getOrDefault(customer.customerId, List.of());
        }
    }

    private CouponStore.Coupon locked(Connection c, String tenantId, String code) throws Exception {
        return store.coupons(c, tenantId, code, true).stream().findFirst()
                .orElseThrow(() -> ProblemException.notFound("unknown-coupon", "no coupon '" + code + "'"));
    }

    private static void requireSubscription(String tenantId, CustomerEntity customer, String subscriptionId) {
        if (subscriptionId == null) {
            return;
        }
        SubscriptionEntity s = SubscriptionEntity.get(tenantId, subscriptionId);
        if (s == null || !s.customerId.equals(customer.customerId)) {
            throw ProblemException.badRequest("unknown-subscription", "customer '" + customer.externalId + "' has no subscription '" + subscriptionId
                    + "'", "subscription");
        }
    }

    private static Discount.Kind kind(Terms terms) {
        if (terms.kind() == null || !List.of("percent", "amount").contains(terms.kind())) {
            throw ProblemException.badRequest("invalid-field", "kind must be percent or amount", "kind");
        }
        Discount.Kind kind = Discount.Kind.valueOf(terms.kind().toUpperCase());
        if (terms.value() == null || terms.value().signum() <= 0 || kind == Discount.Kind.PERCENT && terms.value().compareTo(BigDecimal.valueOf(100)) > 0) {
            throw ProblemException.badRequest("invalid-field", kind == Discount.Kind.PERCENT ? "value must be a percentage above 0, at most 100"
                    : "value must be a positive amount", "value");
        }
        if (terms.periods() != null && terms.periods() < 1) {
            throw ProblemException.badRequest("invalid-field", "periods must be 1 or more (absent: every invoice)", "periods");
        }
        return kind;
    }

    private static void amountIn(BigDecimal value, String currency, String field) {
        if (currency == null) {
            throw ProblemException.badRequest("invalid-field", "an amount coupon needs the currency it takes off in", field);
        }
        Checks.amount(value, currency, "value", false);
    }

    private static String id() {
        return "red_" + UUID.randomUUID().toString().replace("-", "");
    }
}
