package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

@Entity
@Table(name = "tenant")
public class TenantEntity extends PanacheEntityBase {
    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    public String name;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** Every tenant, the oldest first. */
    public static List<TenantEntity> all() {
        return listAll(Sort.by("createdAt"));
    }
}
