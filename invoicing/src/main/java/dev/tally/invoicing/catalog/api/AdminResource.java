package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.billing.Overview;
import dev.tally.invoicing.catalog.AdminUserEntity;
import dev.tally.invoicing.catalog.ApiKeyService;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.invoicing.catalog.TenantService;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.security.SecretRotation;
import dev.tally.model.ClosedSet;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.tax.TaxPoint;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.ApiKeys;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Operator endpoints: tenants and admin users. Any admin user may read; changes need the
 * {@code operator} role (or the bootstrap operator token, which exists to create the first users).
 */
@Path("/v1/admin")
public class AdminResource {
    @Inject
    ApiKeyService keys;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;
    @Inject
    CatalogPublisher catalog;
    @Inject
    Overview overview;
    @Inject
    TenantService tenants;
    @Inject
    SecretRotation rotation;
    @Context
    ContainerRequestContext request;

    public record CreatedTenant(String tenantId, String name, ApiKeyService.Created apiKey) {
    }

    public record TenantView(String tenantId, String name, Instant createdAt) {
    }

    /** Creates a tenant and its first admin-scoped API key, which is shown only in this response. */
    @POST
    @Path("/tenants")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreatedTenant.class)))
    public Response createTenant(Requests.NewTenant body) {
        Caller caller = Caller.of(request);
        caller.requireRole("operator");
        String name = Checks.required(Checks.body(body).name(), "name");
        TenantEntity tenant = new TenantEntity();
        tenant.tenantId = "ten_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        tenant.name = name;
        tenant.persist();
        audit.record(tenant.tenantId, caller.actor(), "tenant", tenant.tenantId, "create", null, Map.of("name", name));
        ApiKeyService.Created key = keys.create(tenant.tenantId, "admin", caller.actor());
        return Response.status(201).entity(new CreatedTenant(tenant.tenantId, tenant.name, key)).build();
    }

    /**
     * Moves every stored secret (Stripe keys, webhook signing secrets) to the current key of {@code tally.secrets.keys}
     * and seals any plaintext from before encryption; operator only. Also runs on its own every
     * {@code tally.secrets.rotate-every}. When it answers with nothing left to move, an old key may be removed.
     */
    @POST
    @Path("/secrets/rotate")
    public SecretRotation.Result rotateSecrets() throws Exception {
        Caller.of(request).requireRole("operator");
        return rotation.rotate();
    }

    @GET
    @Path("/tenants")
    @Transactional
    public List<TenantView> tenants() {
        return TenantEntity.all().stream()
                .map(t -> new TenantView(t.tenantId, t.name, t.createdAt)).toList();
    }

    /**
     * A tenant's billing settings: how long after a period's end (on rating's watermark) it closes, its invoice number
     * prefix, and the total above which a credit note created by a rule (an SLA credit, a reconciliation) waits for a
     * finance approval (absent: every such note waits).
     */
    public record TenantSettings(String tenantId, String closeGrace, String invoicePrefix, BigDecimal creditNoteApprovalThreshold, String taxPoint) {
    }

    /**
     * Changes a tenant's billing settings (absent fields stay): {@code closeGrace} an ISO-8601 duration from PT0S
     * to P31D, {@code invoicePrefix} 1–12 capitals and digits (numbers already given keep theirs), {@code taxPoint}
     * {@code finalization} (the default) or {@code period_end}: which instant's tax rate invoices apply. Operator or
     * finance role; audited.
     */
    @PATCH
    @Path("/tenants/{tenantId}")
    @Transactional
    public TenantSettings updateTenant(@PathParam("tenantId") String tenantId, TenantSettings body) throws Exception {
        Caller caller = Caller.of(request);
        caller.requireRole("operator", "finance");
        Checks.body(body);
        if (TenantEntity.findById(tenantId) == null) {
            throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
        }
        Duration grace = null;
        if (body.closeGrace() != null) {
            try {
                grace = Duration.parse(body.closeGrace());
            } catch (DateTimeParseException e) {
                grace = Duration.ofSeconds(-1);
            }
            if (grace.isNegative() || grace.compareTo(Duration.ofDays(31)) > 0) {
                throw ProblemException.badRequest("invalid-field", "closeGrace must be an ISO-8601 duration from PT0S to P31D, e.g. PT1H",
                        "closeGrace");
            }
        }
        if (body.invoicePrefix() != null && !body.invoicePrefix().matches("[A-Z0-9]{1,12}")) {
            throw ProblemException.badRequest("invalid-field", "invoicePrefix must be 1 to 12 capitals and digits", "invoicePrefix");
        }
        if (body.creditNoteApprovalThreshold() != null && (body.creditNoteApprovalThreshold().signum() < 0
                || body.creditNoteApprovalThreshold().compareTo(new BigDecimal("1000000000000")) > 0)) {
            throw ProblemException.badRequest("invalid-field", "creditNoteApprovalThreshold must be from 0 to 10^12", "creditNoteApprovalThreshold");
        }
        TaxPoint taxPoint = null;
        if (body.taxPoint() != null) {
            try {
                taxPoint = TaxPoint.of(body.taxPoint());
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("invalid-field", "taxPoint must be one of " + ClosedSet.wires(TaxPoint.class), "taxPoint");
            }
        }
        TenantSettings before = settings(tenantId);
        tenants.update(tenantId, grace, body.invoicePrefix(), body.creditNoteApprovalThreshold(), taxPoint);
        TenantSettings after = settings(tenantId);
        audit.record(tenantId, caller.actor(), "tenant", tenantId, "settings", before, after);
        return after;
    }

    @GET
    @Path("/tenants/{tenantId}/settings")
    @Transactional
    public TenantSettings tenantSettings(@PathParam("tenantId") String tenantId) throws Exception {
        if (TenantEntity.findById(tenantId) == null) {
            throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
        }
        return settings(tenantId);
    }

    private TenantSettings settings(String tenantId) throws Exception {
        TenantService.Settings s = tenants.settings(tenantId);
        return new TenantSettings(tenantId, s.closeGrace().toString(), s.invoicePrefix(), s.creditNoteApprovalThreshold(), s.taxPoint().wire());
    }

    /** A tenant's audit trail, for operators investigating a bill. */
    @GET
    @Path("/tenants/{tenantId}/audit")
    @Transactional
    public AuditResource.AuditTrail tenantAudit(@PathParam("tenantId") String tenantId, @QueryParam("entityType") String entityType,
            @QueryParam("entityId") String entityId, @QueryParam("sort") String sort, @QueryParam("offset") Integer offset,
            @QueryParam("limit") Integer limit) {
        if (TenantEntity.findById(tenantId) == null) {
            throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
        }
        return AuditResource.trail(audit, tenantId, entityType, entityId, sort, offset, limit);
    }

    public record UserView(String userId, String email, String role, Instant createdAt, String createdBy, Instant lastUsedAt,
            Instant disabledAt) {
        static UserView of(AdminUserEntity u) {
            return new UserView(u.userId, u.email, u.role, u.createdAt, u.createdBy, u.lastUsedAt, u.disabledAt);
        }
    }

    /** A new admin user; {@code token} is the only time the secret is visible. */
    public record CreatedUser(String userId, String email, String role, String token, String note) {
    }

    @POST
    @Path("/users")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CreatedUser.class)))
    public Response createUser(Requests.NewAdminUser body) {
        Caller caller = Caller.of(request);
        caller.requireRole("operator");
        Checks.body(body);
        String email = Checks.required(body.email(), "email").toLowerCase(Locale.ROOT);
        if (!CustomerService.EMAIL.matcher(email).matches()) {
            throw ProblemException.badRequest("invalid-field", "email '" + email + "' is not an email address", "email");
        }
        String role = Checks.required(body.role(), "role");
        if (!Caller.ROLES.contains(role)) {
            throw ProblemException.badRequest("invalid-field", "role must be one of viewer, operator, finance", "role");
        }
        if (AdminUserEntity.emailTaken(email)) {
            throw ProblemException.conflict("user-exists", "an admin user '" + email + "' already exists", "email");
        }
        ApiKeys.NewKey token = ApiKeys.generate("tad");
        AdminUserEntity u = new AdminUserEntity();
        u.userId = "usr_" + token.keyId();
        u.email = email;
        u.role = role;
        u.sha256 = token.sha256();
        u.createdBy = caller.actor();
        u.persistAndFlush();
        announce(u);
        audit.record(AuditLog.PLATFORM, caller.actor(), "admin_user", u.userId, "create", null, Map.of("email", email, "role", role));
        return Response.status(201).entity(new CreatedUser(u.userId, email, role, token.key(), "store this token now: it is not shown again"))
                .build();
    }

    @GET
    @Path("/users")
    @Transactional
    public List<UserView> users() {
        return AdminUserEntity.all().stream().map(UserView::of).toList();
    }

    /** Disables a user at once (its token stops working); the row stays for the audit trail. */
    @DELETE
    @Path("/users/{userId}")
    @Transactional
    public UserView disableUser(@PathParam("userId") String userId) {
        Caller caller = Caller.of(request);
        caller.requireRole("operator");
        AdminUserEntity u = AdminUserEntity.findById(userId);
        if (u == null) {
            throw ProblemException.notFound("unknown-user", "no admin user '" + userId + "'");
        }
        if (u.disabledAt != null) {
            throw ProblemException.conflict("already-disabled", "admin user '" + userId + "' was disabled at " + u.disabledAt, "userId");
        }
        UserView before = UserView.of(u);
        u.disabledAt = clock.instant();
        announce(u);
        UserView after = UserView.of(u);
        audit.record(AuditLog.PLATFORM, caller.actor(), "admin_user", userId, "disable", before, after);
        return after;
    }

    /** Ingest and rating learn admin users (hash and role) from the catalog, to let them act in a tenant there too. */
    private void announce(AdminUserEntity u) {
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.AdminUser(u.userId, u.sha256, u.role, u.disabledAt != null)));
    }

    /** Who the token belongs to: the admin UI asks this to sign a user in and show what the role allows. */
    @GET
    @Path("/whoami")
    public Map<String, String> whoami() {
        Caller caller = Caller.of(request);
        return Map.of("actor", caller.actor(), "role", caller.role());
    }

    /**
     * Across tenants, what an operator watches: per tenant the credit notes waiting for finance and its latest
     * reconciliation's drift, and this instance's last period-close run (the console's overview).
     */
    @GET
    @Path("/overview")
    public Overview.View overview() throws Exception {
        return overview.read();
    }

    /** The operator accounts' own audit chain. */
    @GET
    @Path("/audit")
    @Transactional
    public AuditResource.AuditTrail platformAudit() {
        return AuditResource.trail(audit, AuditLog.PLATFORM, null, null, null, null, null);
    }
}
