package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "tenant")
public class TenantEntity extends PanacheEntityBase {
    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    public String name;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
