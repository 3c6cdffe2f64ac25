package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;

@Entity
@Table(name = "meter")
@IdClass(MeterEntity.Key.class)
public class MeterEntity extends PanacheEntityBase {
    public record Key(String tenantId, String meterKey) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "meter_key")
    public String meterKey;
    @Column(name = "event_type")
    public String eventType;
    public String aggregation;
    public String property;
    /** PERCENTILE's p in (0, 100]; null for every other aggregation. */
    public BigDecimal percentile;
    public String description;
    /** JSON list of shared-model FilterSpec. */
    @Column(name = "filters_json")
    public String filtersJson = "[]";
    /** JSON list of dimension names. */
    @Column(name = "group_by_json")
    public String groupByJson = "[]";

    public static MeterEntity get(String tenantId, String meterKey) {
        return findById(new Key(tenantId, meterKey));
    }

    /** The tenant's meters by key. */
    public static List<MeterEntity> ofTenant(String tenantId) {
        return list("tenantId = ?1 order by meterKey", tenantId);
    }
}
