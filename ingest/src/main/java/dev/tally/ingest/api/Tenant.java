package dev.tally.ingest.api;

/**
 * The authenticated caller: set by {@link ApiKeyFilter} from the API key (or an admin user's token), never from the
 * body. {@code actor} names it in audit records ({@code key:<keyId>} or {@code user:<userId>}).
 */
public record Tenant(String tenantId, String keyId, String scope, String actor) {
    public static final String PROPERTY = "tally.tenant";
}
