package dev.tally.platform.security;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import java.util.Set;

/**
 * Tenant API keys ({@code Authorization: Bearer tly_…}) for the services that keep a catalog read
 * model (ingest, rating): looked up by SHA-256, never stored or logged in clear. The tenant comes from
 * the key, never from the request.
 */
public final class TenantKeys {
    private TenantKeys() {
    }

    /**
     * The live key behind the header, if its scope is one of {@code scopes}.
     *
     * @throws ProblemException 401 without a key or with an unknown or revoked one; 403 for a key of another scope
     */
    public static CatalogRecordV1.ApiKey authenticate(CatalogView catalog, String authorization, Set<String> scopes, String what) {
        String key = ApiKeys.bearer(authorization);
        if (key == null) {
            throw ProblemException.unauthorized("send a tenant API key as 'Authorization: Bearer <key>'");
        }
        CatalogRecordV1.ApiKey found = catalog.apiKey(ApiKeys.sha256(key));
        if (found == null && !catalog.loaded()) {
            // a (re)starting instance serves requests before it has read the catalog: not knowing a key yet is not
            // knowing it is invalid — a 503 the sender retries, never a 401 it would give up on
            throw new ProblemException(503, "starting", "Service Unavailable", "the service is starting and has not read its catalog of"
                    + " API keys yet; retry in a second (nothing was stored)", null, null);
        }
        if (found == null) {
            throw ProblemException.unauthorized("unknown or revoked API key");
        }
        if (!scopes.contains(found.scope())) {
            throw ProblemException.forbidden("API key " + found.keyId() + " has scope '" + found.scope() + "'; " + what + " needs one of "
                    + scopes.stream().sorted().toList());
        }
        return found;
    }
}
