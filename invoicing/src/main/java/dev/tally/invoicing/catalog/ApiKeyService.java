package dev.tally.invoicing.catalog;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.ApiKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Creating and revoking API keys: the row, its catalog announcement and its audit entry, in the caller's transaction. */
@ApplicationScoped
public class ApiKeyService {
    @Inject
    CatalogPublisher catalog;
    @Inject
    AuditLog audit;

    /** A new key; {@code key} is the only time the secret is ever visible. */
    @Schema(name = "CreatedApiKey")
    public record Created(String keyId, String key, String scope, String note) {
    }

    /** What may be shown about a key later: never its secret or hash. */
    public record KeyView(String keyId, String scope, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        public static KeyView of(ApiKeyEntity k) {
            return new KeyView(k.keyId, k.scope, k.createdAt, k.lastUsedAt, k.revokedAt);
        }
    }

    public Created create(String tenantId, String scope, String actor) {
        ApiKeys.NewKey k = ApiKeys.generate();
        ApiKeyEntity entity = new ApiKeyEntity();
        entity.tenantId = tenantId;
        entity.keyId = k.keyId();
        entity.sha256 = k.sha256();
        entity.scope = scope;
        entity.persist();
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenantId, k.keyId(), k.sha256(), scope, false)));
        audit.record(tenantId, actor, "api_key", k.keyId(), "create", null, new KeyView(k.keyId(), scope, null, null, null));
        return new Created(k.keyId(), k.key(), scope, "store this key now: it is not shown again");
    }

    /** Revokes at once for invoicing; ingest stops accepting it when the catalog topic reaches it (seconds). */
    public KeyView revoke(String tenantId, String keyId, String actor, Instant now) {
        ApiKeyEntity k = ApiKeyEntity.findById(keyId);
        if (k == null || !k.tenantId.equals(tenantId)) {
            throw ProblemException.notFound("unknown-api-key", "no API key '" + keyId + "' in this tenant");
        }
        if (k.revokedAt != null) {
            throw ProblemException.conflict("already-revoked", "API key '" + keyId + "' was revoked at " + k.revokedAt, "keyId");
        }
        KeyView before = KeyView.of(k);
        k.revokedAt = now;
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenantId, k.keyId, k.sha256, k.scope, true)));
        KeyView after = KeyView.of(k);
        audit.record(tenantId, actor, "api_key", keyId, "revoke", before, after);
        return after;
    }
}
