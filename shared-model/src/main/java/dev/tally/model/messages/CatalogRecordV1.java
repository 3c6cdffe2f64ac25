package dev.tally.model.messages;

/**
 * One entry of the compacted catalog topic {@link Topics#CATALOG}. Exactly one of the payload
 * fields is set, named by {@code kind}; the record key is {@code kind/tenantId/id} so compaction
 * keeps the latest state of each entity. A deleted or revoked entity keeps its entry with the
 * flag set (no tombstones yet), so readers that replay learn about revocation too.
 */
public record CatalogRecordV1(Kind kind, ApiKey apiKey, Customer customer, Meter meter) {
    public static final String SCHEMA = "CatalogRecordV1";

    public enum Kind { API_KEY, CUSTOMER, METER }

    /** An API key by its SHA-256 hash (hex); the key itself never leaves invoicing. */
    public record ApiKey(String tenantId, String keyId, String sha256, String scope, boolean revoked) {
    }

    /** {@code aliases} (normalized; may be null from older producers) attribute traffic to the customer. */
    public record Customer(String tenantId, String customerId, String externalId, String currency,
            dev.tally.model.attribution.Aliases aliases) {
    }

    public record Meter(String tenantId, String meterKey, String eventType, String aggregation, String property) {
    }

    public static CatalogRecordV1 of(ApiKey k) {
        return new CatalogRecordV1(Kind.API_KEY, k, null, null);
    }

    public static CatalogRecordV1 of(Customer c) {
        return new CatalogRecordV1(Kind.CUSTOMER, null, c, null);
    }

    public static CatalogRecordV1 of(Meter m) {
        return new CatalogRecordV1(Kind.METER, null, null, m);
    }

    public String key() {
        return switch (kind) {
            case API_KEY -> "API_KEY/" + apiKey.tenantId() + "/" + apiKey.keyId();
            case CUSTOMER -> "CUSTOMER/" + customer.tenantId() + "/" + customer.customerId();
            case METER -> "METER/" + meter.tenantId() + "/" + meter.meterKey();
        };
    }
}
