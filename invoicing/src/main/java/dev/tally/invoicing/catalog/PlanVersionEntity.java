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

/** One version of a plan: a whole PlanSpec document, draft or published (then immutable). */
@Entity
@Table(name = "plan_version")
@IdClass(PlanVersionEntity.Key.class)
public class PlanVersionEntity extends PanacheEntityBase {
    public record Key(String tenantId, String planKey, int version) implements Serializable {
    }

    public static final String DRAFT = "draft";
    public static final String PUBLISHED = "published";

    @Id
    @Column(name = "tenant_id")
    public String tenantId;
    @Id
    @Column(name = "plan_key")
    public String planKey;
    @Id
    public int version;
    public String status;
    @Column(name = "spec_json")
    public String specJson;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
    @Column(name = "published_at")
    public Instant publishedAt;

    public static PlanVersionEntity get(String tenantId, String planKey, int version) {
        return findById(new Key(tenantId, planKey, version));
    }

    public static List<PlanVersionEntity> of(String tenantId, String planKey) {
        return list("tenantId = ?1 and planKey = ?2 order by version", tenantId, planKey);
    }

    /** The highest published version, or null. */
    public static PlanVersionEntity latestPublished(String tenantId, String planKey) {
        return find("tenantId = ?1 and planKey = ?2 and status = ?3 order by version desc", tenantId, planKey, PUBLISHED).firstResult();
    }

    public boolean published() {
        return PUBLISHED.equals(status);
    }
}
