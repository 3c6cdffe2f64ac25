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
@Table(name = "subscription")
@IdClass(SubscriptionEntity.Key.class)
public class SubscriptionEntity extends PanacheEntityBase {
    public record Key(String tenantId, String subscriptionId) implements Serializable {
    }

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "subscription_id")
    public String subscriptionId;
    @Column(name = "customer_id")
    public String customerId;
    @Column(name = "start_at")
    public Instant startAt;
    @Column(name = "end_at")
    public Instant endAt;
    @Column(name = "cycle_interval")
    public String cycleInterval;
    @Column(name = "anchor_day")
    public int anchorDay;
    @Column(name = "anchor_month")
    public int anchorMonth;
    @Column(name = "trial_end")
    public Instant trialEnd;

    public static SubscriptionEntity get(String tenantId, String subscriptionId) {
        return findById(new Key(tenantId, subscriptionId));
    }

    public static List<SubscriptionEntity> ofCustomer(String tenantId, String customerId) {
        return list("tenantId = ?1 and customerId = ?2 order by startAt", tenantId, customerId);
    }
}
