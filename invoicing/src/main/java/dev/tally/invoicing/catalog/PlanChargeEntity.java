package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.util.List;

/** A per-unit charge of a plan on one meter; the unit price is a high-scale exact decimal. */
@Entity
@Table(name = "plan_charge")
@IdClass(PlanChargeEntity.Key.class)
public class PlanChargeEntity extends PanacheEntityBase {
    public record Key(String tenantId, String planKey, String meterKey) implements java.io.Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "plan_key")
    public String planKey;
    @Id
    @Column(name = "meter_key")
    public String meterKey;
    public String description;
    @Column(name = "unit_price", precision = 30, scale = 12)
    public BigDecimal unitPrice;
    public String currency;

    public static List<PlanChargeEntity> of(String tenantId, String planKey) {
        return list("tenantId = ?1 and planKey = ?2 order by meterKey", tenantId, planKey);
    }
}
