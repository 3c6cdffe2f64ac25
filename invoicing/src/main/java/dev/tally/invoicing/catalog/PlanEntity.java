package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.List;

@Entity
@Table(name = "plan")
@IdClass(PlanEntity.Key.class)
public class PlanEntity extends PanacheEntityBase {
    public record Key(String tenantId, String planKey) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "plan_key")
    public String planKey;
    public String name;
    public String currency;

    public static PlanEntity get(String tenantId, String planKey) {
        return findById(new Key(tenantId, planKey));
    }

    /** The tenant's plans by key. */
    public static List<PlanEntity> ofTenant(String tenantId) {
        return list("tenantId = ?1 order by planKey", tenantId);
    }
}
