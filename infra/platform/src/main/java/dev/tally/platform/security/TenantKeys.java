package dev.tally.platform.security;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Callers of the services that keep a catalog read model (ingest, rating): a tenant API key
 * ({@code Authorization: Bearer tly_…}), or an admin user's token ({@code tad_…}) acting in the tenant named by the
 * {@link #TENANT_HEADER} header — how the admin console reads and operates a tenant. Both are looked up by SHA-256,
 * never stored or logged in clear. A key's tenant comes from the key, never from the request; an admin user is a
 * platform operator and may name any tenant, with the rights of its role: {@code operator} as an {@code admin}-scoped
 * key, {@code viewer} and {@code finance} as a {@code read}-scoped one.
 */
public final class TenantKeys {
    /** The tenant an admin user acts in; ignored with a tenant API key. */
    public static final String TENANT_HEADER = "Tally-Tenant";
    private static final Pattern TENANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private TenantKeys() {
    }

    /**
     * Who called: the tenant, the key id (an admin user's id for an admin user), the scope the call has, and
     * {@code userId} when an admin user acts in the tenant.
     */
    public record TenantCaller(String tenantId, String keyId, String scope, String userId) {
        /** Who to name in audit records: {@code key:<keyId>} or {@code user:<userId>}. */
        public String actor() {
            return userId == null ? "key:" + keyId : "user:" + userId;
        }

        /** How to name the caller in a message: "API key k" or "admin user u". */
        public String describe() {
            return userId == null ? "API key " + keyId : "admin user " + userId;
        }
    }

    /**
     * The live key (or admin user acting in {@code tenantHeader}) behind the header, if its scope is one of {@code scopes}.
     *
     * @throws ProblemException 401 without a key or with an unknown or revoked one; 403 for a key of another scope;
     *                          400 for an admin token without a (well-formed) tenant; 503 while the catalog is being read
     */
    public static TenantCaller authenticate(CatalogView catalog, String authorization, String tenantHeader, Set<String> scopes,
            String what) {
        String key = ApiKeys.bearer(authorization);
        if (key == null) {
            throw ProblemException.unauthorized("send a tenant API key as 'Authorization: Bearer <key>'");
        }
        String hash = ApiKeys.sha256(key);
        if (key.startsWith("tad_")) {
            return adminUser(catalog, hash, tenantHeader, scopes, what);
        }
        CatalogRecordV1.ApiKey found = catalog.apiKey(hash);
        if (found == null && !catalog.loaded()) {
            throw starting();
        }
        if (found == null && catalog.awaitCaughtUp(CatalogView.READ_YOUR_WRITES)) {
            found = catalog.apiKey(hash); // a key created a moment ago: known once the view has read what was published before
        }
        if (found == null) {
            throw ProblemException.unauthorized("unknown or revoked API key");
        }
        if (!scopes.contains(found.scope())) {
            throw ProblemException.forbidden("API key " + found.keyId() + " has scope '" + found.scope() + "'; " + what + " needs one of "
                    + scopes.stream().sorted().toList());
        }
        return new TenantCaller(found.tenantId(), found.keyId(), found.scope(), null);
    }

    private static TenantCaller adminUser(CatalogView catalog, String hash, String tenantHeader, Set<String> scopes, String what) {
        CatalogRecordV1.AdminUser user = catalog.adminUser(hash);
        if (user == null && !catalog.loaded()) {
            throw starting();
        }
        if (user == null || user.disabled()) {
            throw ProblemException.unauthorized("unknown or disabled admin token");
        }
        if (tenantHeader == null || tenantHeader.isBlank()) {
            throw ProblemException.badRequest("tenant-required", "an admin token acts in one tenant: name it in the '" + TENANT_HEADER
                    + "' header", TENANT_HEADER);
        }
        if (!TENANT_ID.matcher(tenantHeader).matches()) {
            throw ProblemException.badRequest("invalid-field", "'" + TENANT_HEADER + "' is not a tenant id", TENANT_HEADER);
        }
        String scope = "operator".equals(user.role()) ? "admin" : "read";
        if (!scopes.contains(scope)) {
            throw ProblemException.forbidden("admin user " + user.userId() + " has role '" + user.role() + "'; " + what + " needs "
                    + ("read".equals(scope) && scopes.contains("admin") ? "the operator role" : "a tenant API key"));
        }
        return new TenantCaller(tenantHeader, user.userId(), scope, user.userId());
    }

    private static ProblemException starting() {
        // a (re)starting instance serves requests before it has read the catalog: not knowing a key yet is not
        // knowing it is invalid — a 503 the sender retries, never a 401 it would give up on
        return new ProblemException(503, "starting", "Service Unavailable", "the service is starting and has not read its catalog of"
                + " API keys yet; retry in a second (nothing was stored)", null, null);
    }
}
