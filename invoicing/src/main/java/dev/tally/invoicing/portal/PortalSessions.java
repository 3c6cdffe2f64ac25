package dev.tally.invoicing.portal;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.PortalTokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Issues customer portal sessions: a token signed with the deployment's portal secret, for one customer of the caller's
 * tenant, with scopes ({@link PortalTokens#SCOPES}), a lifetime of minutes and the page's locale. Each issue is audited
 * (who asked, for whom, which scopes, until when) — never the token.
 */
@ApplicationScoped
public class PortalSessions {
    public static final Set<String> LOCALES = Set.of("en", "de");

    @Inject
    InvoicingConfig config;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;

    /** A new session: the token, the URL of the portal page it opens, and what it allows until when. */
    public record Session(String sessionId, String customer, List<String> scopes, String locale, Instant expiresAt, String token, String url) {
        @Override
        public String toString() {
            return "Session[" + sessionId + ", customer=" + customer + ", scopes=" + scopes + ", expiresAt=" + expiresAt + ", token=***]";
        }
    }

    public Session issue(String tenantId, String externalId, List<String> scopes, Long ttlSeconds, String locale, String actor) {
        String secret = config.portal().secret().orElse(null);
        if (secret == null || secret.isBlank()) {
            throw new ProblemException(503, "portal-not-configured", "Portal not configured",
                    "no portal secret is configured (tally.portal.secret / TALLY_PORTAL_SECRET): no session can be issued", null, null);
        }
        List<String> granted = scopes == null || scopes.isEmpty() ? List.of("usage", "invoices", "download") : List.copyOf(scopes);
        for (int i = 0; i < granted.size(); i++) {
            if (!PortalTokens.SCOPES.contains(granted.get(i))) {
                throw ProblemException.badRequest("invalid-field", "scopes[" + i + "]: one of " + PortalTokens.SCOPES, "scopes[" + i + "]");
            }
        }
        Duration ttl = ttlSeconds == null ? config.portal().defaultTtl() : Duration.ofSeconds(ttlSeconds);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(config.portal().maxTtl()) > 0) {
            throw ProblemException.badRequest("invalid-field", "ttlSeconds: 1 to " + config.portal().maxTtl().toSeconds(), "ttlSeconds");
        }
        String lang = locale == null ? "en" : locale;
        if (!LOCALES.contains(lang)) {
            throw ProblemException.badRequest("invalid-field", "locale: one of " + LOCALES, "locale");
        }
        CustomerEntity customer = CustomerService.byExternalId(tenantId, externalId);
        Instant expires = clock.instant().plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        String id = "ps_" + UUID.randomUUID().toString().replace("-", "");
        List<String> sorted = new ArrayList<>(granted.stream().distinct().sorted().toList());
        String token = PortalTokens.issue(secret, new PortalTokens.Claims(id, tenantId, customer.customerId, customer.externalId, sorted,
                expires.getEpochSecond(), lang));
        audit.record(tenantId, actor, "portal_session", id, "issue", null, Map.of("customer", customer.externalId, "scopes", sorted,
                "expiresAt", expires.toString()));
        return new Session(id, customer.externalId, sorted, lang, expires, token, config.portal().url().replaceAll("/+$", "") + "/" + token);
    }
}
