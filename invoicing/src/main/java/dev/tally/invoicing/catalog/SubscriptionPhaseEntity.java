package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

@Entity
@Table(name = "subscription_phase")
@IdClass(SubscriptionPhaseEntity.Key.class)
public class SubscriptionPhaseEntity extends PanacheEntityBase {
    public record Key(String tenantId, String subscriptionId, Instant effectiveAt) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "subscription_id")
    public String subscriptionId;
    @Id
    @Column(name = "effective_at")
    public Instant effectiveAt;
    @Column(name = "plan_key")
    public String planKey;
    @Column(name = "plan_version")
    public int planVersion;
    public String reason;
    @Column(name = "migration_id")
    public String migrationId;

    public static List<SubscriptionPhaseEntity> of(String tenantId, String subscriptionId) {
        return list("tenantId = ?1 and subscriptionId = ?2 order by effectiveAt", tenantId, subscriptionId);
    }
}
