package dev.tally.invoicing.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** An operator account: email, role, token hash. The token itself is shown once and never stored. */
@Entity
@Table(name = "admin_user")
public class AdminUserEntity extends PanacheEntityBase {
    @Id
    @Column(name = "user_id")
    public String userId;
    public String email;
    public String role;
    public String sha256;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "disabled_at")
    public Instant disabledAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    /** The enabled user with this token hash, or null. */
    public static AdminUserEntity live(String sha256) {
        return find("sha256 = ?1 and disabledAt is null", sha256).firstResult();
    }

    /** Every operator account, disabled ones included, the oldest first. */
    public static List<AdminUserEntity> all() {
        return listAll(Sort.by("createdAt"));
    }

    /** Whether a user (enabled or disabled) already has this email. */
    public static boolean emailTaken(String email) {
        return count("email", email) > 0;
    }
}
