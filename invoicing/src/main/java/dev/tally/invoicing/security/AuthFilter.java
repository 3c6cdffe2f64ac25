package dev.tally.invoicing.security;

import dev.tally.invoicing.catalog.AdminUserEntity;
import dev.tally.invoicing.catalog.ApiKeyEntity;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.ApiKeys;
import dev.tally.platform.security.PortalTokens;
import dev.tally.platform.security.RateLimits;
import dev.tally.platform.security.TenantKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.time.Clock;
import java.time.Instant;

/**
 * Authenticates every request. {@code /v1/admin/**} takes an admin user's token ({@code tad_…}) or
 * the bootstrap operator token; a {@code viewer} may only read there, and resources ask for
 * {@code operator} or {@code finance} where they change things. Everything else takes a tenant API
 * key: {@code read} or {@code admin} scope for reads, {@code admin} for changes — or an admin token acting in the
 * tenant named by {@code Tally-Tenant} (the console), with what its role allows ({@link TenantRoles}). The one exception is the
 * payment provider's webhook ({@code POST /v1/payment-webhooks/stripe/{tenantId}}), which carries no key and is
 * authenticated by the provider's signature instead. A customer portal session token ({@code tps_…}) reads its own
 * customer's usage and invoices, and nothing else ({@link PortalAccess}).
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
    @Inject
    Clock clock;

    @Inject
    AuthSettings settings;
    @Inject
    PortalAccess portal;
    private volatile RateLimits limits;

    /** Refuses the request (429, Retry-After) when its caller is over the rate limit; true when it may go on. */
    private boolean withinLimit(ContainerRequestContext request, String caller, String who) {
        RateLimits l = limits;
        if (l == null) {
            l = new RateLimits(settings.rate(), settings.burst());
            limits = l;
        }
        long retryAfter = l.retryAfter(caller);
        if (retryAfter > 0) {
            request.abortWith(RateLimits.tooMany(who, retryAfter));
            return false;
        }
        return true;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String p = request.getUriInfo().getPath();
        if ("POST".equals(request.getMethod()) && (p.startsWith("/v1/payment-webhooks/stripe/") || p.startsWith("v1/payment-webhooks/stripe/"))) {
            return; // authenticated by Stripe's signature with the tenant's webhook secret (StripeWebhookResource)
        }
        String token = ApiKeys.bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            throw ProblemException.unauthorized("send 'Authorization: Bearer <API key, admin token or operator token>'");
        }
        String path = request.getUriInfo().getPath();
        boolean read = HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod());
        if (token.startsWith(PortalTokens.PREFIX) || path.startsWith("/v1/portal/") || path.startsWith("v1/portal/")) {
            portalSession(request, token, read);
            return;
        }
        if (path.startsWith("/v1/admin/") || path.startsWith("v1/admin/")) {
            Caller op = operator(token, read);
            if (withinLimit(request, op.actor(), op.userId() == null ? "the operator token" : "admin user " + op.userId())) {
                request.setProperty(Caller.PROPERTY, op);
            }
            return;
        }
        if (token.startsWith("tad_") || (settings.operatorToken() != null && ApiKeys.sameSecret(token, settings.operatorToken()))) {
            Caller op = operator(token, read);
            String tenant = request.getHeaderString(TenantKeys.TENANT_HEADER);
            if (tenant == null || tenant.isBlank()) {
                throw ProblemException.badRequest("tenant-required", "an admin token acts in one tenant: name it in the '"
                        + TenantKeys.TENANT_HEADER + "' header", TenantKeys.TENANT_HEADER);
            }
            if (QuarkusTransaction.joiningExisting().call(() -> TenantEntity.findById(tenant)) == null) {
                throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenant + "'");
            }
            String refusal = TenantRoles.refusal(op.role(), request.getMethod(), path);
            if (refusal != null) {
                throw ProblemException.forbidden((op.userId() == null ? "the operator token" : "admin user " + op.userId()) + ": " + refusal);
            }
            if (withinLimit(request, op.actor(), op.userId() == null ? "the operator token" : "admin user " + op.userId())) {
                request.setProperty(Caller.PROPERTY, new Caller(true, tenant, null, op.role(), op.userId()));
            }
            return;
        }
        String hash = ApiKeys.sha256(token);
        ApiKeyEntity key = QuarkusTransaction.joiningExisting().call(() -> ApiKeyEntity.live(hash));
        if (key == null) {
            throw ProblemException.unauthorized("unknown or revoked API key");
        }
        boolean allowed = "admin".equals(key.scope) || (read && "read".equals(key.scope));
        if (!allowed) {
            throw ProblemException.forbidden("API key " + key.keyId + " has scope '" + key.scope + "', which does not allow "
                    + request.getMethod() + " here");
        }
        Instant now = clock.instant();
        if (key.lastUsedAt == null || key.lastUsedAt.isBefore(now.minusSeconds(60))) {
            // a write only when the recorded use is stale, not one per request
            QuarkusTransaction.requiringNew().run(() -> ApiKeyEntity.touch(key.keyId, now));
        }
        if (withinLimit(request, "key:" + key.keyId, "API key " + key.keyId)) {
            request.setProperty(Caller.PROPERTY, new Caller(false, key.tenantId, key.keyId, key.scope, null));
        }
    }

    /** A portal session token on a route it may read ({@link PortalAccess}); the portal's routes take nothing else. */
    private void portalSession(ContainerRequestContext request, String token, boolean read) {
        if (!token.startsWith(PortalTokens.PREFIX)) {
            throw ProblemException.unauthorized("the portal's routes take a portal session token (tps_…) only");
        }
        Caller session = portal.authorize(request, token, read);
        if (withinLimit(request, session.keyId(), "portal session " + session.keyId())) {
            request.setProperty(Caller.PROPERTY, session);
        }
    }

    private Caller operator(String token, boolean read) {
        if (settings.operatorToken() != null && ApiKeys.sameSecret(token, settings.operatorToken())) {
            return new Caller(true, null, null, "operator", null);
        }
        if (!token.startsWith("tad_")) {
            throw ProblemException.unauthorized("operator endpoints need an admin user's token or the operator token");
        }
        String hash = ApiKeys.sha256(token);
        AdminUserEntity user = QuarkusTransaction.joiningExisting().call(() -> AdminUserEntity.live(hash));
        if (user == null) {
            throw ProblemException.unauthorized("unknown or disabled admin token");
        }
        if (!read && "viewer".equals(user.role)) {
            throw ProblemException.forbidden("admin user " + user.userId + " is a viewer and may only read");
        }
        Instant now = clock.instant();
        if (user.lastUsedAt == null || user.lastUsedAt.isBefore(now.minusSeconds(60))) {
            QuarkusTransaction.requiringNew().run(() -> AdminUserEntity.update("lastUsedAt = ?1 where userId = ?2", now, user.userId));
        }
        return new Caller(true, null, null, user.role, user.userId);
    }
}
