package dev.tally.ingest.api;

/** The authenticated caller: set by {@link ApiKeyFilter} from the API key, never from the body. */
public record Tenant(String tenantId, String keyId, String scope) {
    public static final String PROPERTY = "tally.tenant";
}
