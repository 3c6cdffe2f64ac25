package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** An API key by its SHA-256; the key itself is shown once at creation and never stored. */
@Entity
@Table(name = "api_key")
public class ApiKeyEntity extends PanacheEntityBase {
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "key_id")
    public String keyId;
    public String sha256;
    public String scope;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    /** Records a use, at most once a minute per key, so busy keys do not write on every request. */
    public static void touch(String keyId, Instant now) {
        update("lastUsedAt = ?1 where keyId = ?2 and (lastUsedAt is null or lastUsedAt < ?3)", now, keyId, now.minusSeconds(60));
    }

    /** The tenant's keys, revoked ones included, the oldest first. */
    public static List<ApiKeyEntity> ofTenant(String tenantId) {
        return list("tenantId = ?1 order by createdAt", tenantId);
    }

    public static ApiKeyEntity live(String sha256) {
        return find("sha256 = ?1 and revokedAt is null", sha256).firstResult();
    }
}
