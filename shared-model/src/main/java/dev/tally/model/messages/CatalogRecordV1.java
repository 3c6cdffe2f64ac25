package dev.tally.model.messages;

import dev.tally.model.attribution.Aliases;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.Subscription;
import java.math.BigDecimal;
import java.util.List;

/**
 * One entry of the compacted catalog topic {@link Topics#CATALOG}. Exactly one of the payload
 * fields is set, named by {@code kind}; the record key is {@code kind/tenantId/id} so compaction
 * keeps the latest state of each entity. A deleted or revoked entity keeps its entry with the
 * flag set (no tombstones yet), so readers that replay learn about revocation too. Readers ignore
 * kinds they do not use (ingest: plans and subscriptions).
 */
public record CatalogRecordV1(Kind kind, ApiKey apiKey, Customer customer, Meter meter, PlanVersion planVersion,
        SubscriptionState subscription, Limit limit, AdminUser adminUser, PriceOverrideState priceOverride) {
    public static final String SCHEMA = "CatalogRecordV1";

    public enum Kind { API_KEY, CUSTOMER, METER, PLAN_VERSION, SUBSCRIPTION, LIMIT, ADMIN_USER, PRICE_OVERRIDE }

    /** An API key by its SHA-256 hash (hex); the key itself never leaves invoicing. */
    public record ApiKey(String tenantId, String keyId, String sha256, String scope, boolean revoked) {
    }

    /**
     * An admin user of the platform (not of one tenant) by the SHA-256 of its token ({@code tad_…}): {@code role}
     * {@code viewer}, {@code operator} or {@code finance}. Services that keep a catalog view let such a user act in the
     * tenant it names ({@code Tally-Tenant} header) — read only, unless the role is {@code operator}. {@code disabled}
     * users are refused at once.
     */
    public record AdminUser(String userId, String sha256, String role, boolean disabled) {
    }

    /** {@code aliases} (normalized; may be null from older producers) attribute traffic to the customer. */
    public record Customer(String tenantId, String customerId, String externalId, String currency, Aliases aliases) {
    }

    /**
     * {@code filters} (AND; null or empty: every event of the type) and {@code groupBy} (dimensions;
     * null or empty: one total) may be absent from older producers.
     */
    public record Meter(String tenantId, String meterKey, String eventType, String aggregation, String property, List<FilterSpec> filters,
            List<String> groupBy, BigDecimal percentile) {
        /** A meter of any aggregation but PERCENTILE (which needs its percentile). */
        public Meter(String tenantId, String meterKey, String eventType, String aggregation, String property, List<FilterSpec> filters,
                List<String> groupBy) {
            this(tenantId, meterKey, eventType, aggregation, property, filters, groupBy, null);
        }

        public Meter(String tenantId, String meterKey, String eventType, String aggregation, String property) {
            this(tenantId, meterKey, eventType, aggregation, property, List.of(), List.of());
        }
    }

    /** A plan version: {@code status} draft or published; a published version never changes. */
    public record PlanVersion(String tenantId, String planKey, int version, String status, PlanSpec spec) {
    }

    /** A subscription with all its phases (past and scheduled). */
    public record SubscriptionState(String tenantId, Subscription subscription) {
    }

    /**
     * A customer's limit on a meter, per billing period: {@code limit} in the meter's unit; {@code hard}
     * blocks usage at the limit (the entitlement answer says {@code blocked}); {@code alertAt} are
     * percentages of the limit (e.g. 50, 80, 100) whose crossing raises one alert each per period.
     * {@code deleted} marks a removed limit. With {@code meterKey} {@value #SPEND} it is a spend budget:
     * {@code limit} is an amount in the customer's currency per billing period, never hard.
     */
    public record Limit(String tenantId, String customerId, String meterKey, BigDecimal limit, boolean hard, List<Integer> alertAt,
            boolean deleted) {
        /** The pseudo-meter of a spend budget (no meter key can start with '$'). */
        public static final String SPEND = "$spend";
    }

    /** A customer's negotiated price for a charge, as it stands (created, or ended: {@code effectiveUntil} set). */
    public record PriceOverrideState(String tenantId, PriceOverride override) {
    }

    public static CatalogRecordV1 of(ApiKey k) {
        return new CatalogRecordV1(Kind.API_KEY, k, null, null, null, null, null, null, null);
    }

    public static CatalogRecordV1 of(Customer c) {
        return new CatalogRecordV1(Kind.CUSTOMER, null, c, null, null, null, null, null, null);
    }

    public static CatalogRecordV1 of(Meter m) {
        return new CatalogRecordV1(Kind.METER, null, null, m, null, null, null, null, null);
    }

    public static CatalogRecordV1 of(PlanVersion p) {
        return new CatalogRecordV1(Kind.PLAN_VERSION, null, null, null, p, null, null, null, null);
    }

    public static CatalogRecordV1 of(SubscriptionState s) {
        return new CatalogRecordV1(Kind.SUBSCRIPTION, null, null, null, null, s, null, null, null);
    }

    public static CatalogRecordV1 of(Limit l) {
        return new CatalogRecordV1(Kind.LIMIT, null, null, null, null, null, l, null, null);
    }

    public static CatalogRecordV1 of(AdminUser u) {
        return new CatalogRecordV1(Kind.ADMIN_USER, null, null, null, null, null, null, u, null);
    }

    public static CatalogRecordV1 of(PriceOverrideState o) {
        return new CatalogRecordV1(Kind.PRICE_OVERRIDE, null, null, null, null, null, null, null, o);
    }

    public String key() {
        return switch (kind) {
            case API_KEY -> "API_KEY/" + apiKey.tenantId() + "/" + apiKey.keyId();
            case CUSTOMER -> "CUSTOMER/" + customer.tenantId() + "/" + customer.customerId();
            case METER -> "METER/" + meter.tenantId() + "/" + meter.meterKey();
            case PLAN_VERSION -> "PLAN_VERSION/" + planVersion.tenantId() + "/" + planVersion.planKey() + "/" + planVersion.version();
            case SUBSCRIPTION -> "SUBSCRIPTION/" + subscription.tenantId() + "/" + subscription.subscription().subscriptionId();
            case LIMIT -> "LIMIT/" + limit.tenantId() + "/" + limit.customerId() + "/" + limit.meterKey();
            case ADMIN_USER -> "ADMIN_USER/platform/" + adminUser.userId();
            case PRICE_OVERRIDE -> "PRICE_OVERRIDE/" + priceOverride.tenantId() + "/" + priceOverride.override().overrideId();
        };
    }
}
