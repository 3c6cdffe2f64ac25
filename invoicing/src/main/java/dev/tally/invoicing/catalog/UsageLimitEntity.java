package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

@Entity
@Table(name = "usage_limit")
@IdClass(UsageLimitEntity.Key.class)
public class UsageLimitEntity extends PanacheEntityBase {
    public record Key(String tenantId, String customerId, String meterKey) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "customer_id")
    public String customerId;
    @Id
    @Column(name = "meter_key")
    public String meterKey;
    @Column(name = "limit_quantity")
    public BigDecimal limitQuantity;
    public boolean hard;
    /** JSON list of percentages. */
    @Column(name = "alert_at_json")
    public String alertAtJson;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public static UsageLimitEntity get(String tenantId, String customerId, String meterKey) {
        return findById(new Key(tenantId, customerId, meterKey));
    }

    public static List<UsageLimitEntity> ofCustomer(String tenantId, String customerId) {
        return list("tenantId = ?1 and customerId = ?2 order by meterKey", tenantId, customerId);
    }
}
