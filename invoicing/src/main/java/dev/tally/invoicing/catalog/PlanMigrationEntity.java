package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A scheduled move of a plan's subscriptions to one of its versions. */
@Entity
@Table(name = "plan_migration")
@IdClass(PlanMigrationEntity.Key.class)
public class PlanMigrationEntity extends PanacheEntityBase {
    public record Key(String tenantId, String migrationId) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "migration_id")
    public String migrationId;
    @Column(name = "plan_key")
    public String planKey;
    @Column(name = "to_version")
    public int toVersion;
    @Column(name = "effective_at")
    public Instant effectiveAt;
    public String actor;
}
