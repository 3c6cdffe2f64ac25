package dev.tally.invoicing.security;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What an admin user's role may change when it acts in a tenant ({@code Tally-Tenant}): every role reads; an
 * {@code operator} changes what a tenant's admin-scoped key changes; {@code finance} only proposes money going back
 * (credit notes and SLA credits) — approving them is {@code /v1/admin/…/credit-notes/{id}/approve}, finance only;
 * a {@code viewer} changes nothing. Enforced here, on the server, whatever the console shows.
 */
final class TenantRoles {
    private static final List<Pattern> FINANCE_WRITES = List.of(
            Pattern.compile("/?v1/invoices/[^/]+/credit-notes(/sla)?/?"));

    private TenantRoles() {
    }

    /** Null when {@code role} may send {@code method} to {@code path}, else why not. */
    static String refusal(String role, String method, String path) {
        if ("GET".equals(method) || "HEAD".equals(method) || "operator".equals(role)) {
            return null;
        }
        if ("finance".equals(role) && "POST".equals(method) && FINANCE_WRITES.stream().anyMatch(p -> p.matcher(path).matches())) {
            return null;
        }
        return "role '" + role + "' may not " + method + " " + (path.startsWith("/") ? path : "/" + path) + ("finance".equals(role)
                ? "; finance creates credit notes and SLA credits and approves them" : "; it only reads");
    }
}
