package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/** One attribution alias; the primary key makes two customers claiming the same alias impossible. */
@Entity
@Table(name = "customer_alias")
@IdClass(CustomerAliasEntity.Key.class)
public class CustomerAliasEntity extends PanacheEntityBase {
    public record Key(String tenantId, String kind, String value) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    public String kind;
    @Id
    public String value;
    @Column(name = "customer_id")
    public String customerId;

    public static CustomerAliasEntity get(String tenantId, String kind, String value) {
        return findById(new Key(tenantId, kind, value));
    }
}
