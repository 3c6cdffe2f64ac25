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
@Table(name = "customer")
@IdClass(CustomerEntity.Key.class)
public class CustomerEntity extends PanacheEntityBase {
    public record Key(String tenantId, String customerId) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "customer_id")
    public String customerId;
    @Column(name = "external_id")
    public String externalId;
    public String name;
    public String currency;
    @Column(name = "billing_email")
    public String billingEmail;
    @Column(name = "tax_region")
    public String taxRegion;

    public static CustomerEntity byExternalId(String tenantId, String externalId) {
        return find("tenantId = ?1 and externalId = ?2", tenantId, externalId).firstResult();
    }

    /** At most {@code limit} of the tenant's customers whose external id sorts after {@code after}, by external id. */
    public static List<CustomerEntity> page(String tenantId, String after, int limit) {
        return find("tenantId = ?1 and externalId > ?2 order by externalId", tenantId, after).page(0, limit).list();
    }
}
