package dev.tally.invoicing.security;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.PortalTokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * What a customer portal session token may read here: GETs of its own customer's draft, credit, limits and budget, its invoices (list,
 * document, explanation, credit notes, refunds) and — with the {@code download} scope — the events behind an invoice line, and
 * its own context. Nothing else, and never another customer's: an invoice id of another customer is "not found", as
 * if it did not exist. Any other route answers 404 to a portal token, and the portal's context route takes no other
 * credential.
 */
@ApplicationScoped
public class PortalAccess {
    static final String CLAIMS = "tally.portal";
    private static final Pattern DRAFT = Pattern.compile("/v1/customers/([^/]+)/(invoices/draft|invoices/projection|credits|limits|budget)");
    private static final Pattern INVOICE = Pattern.compile("/v1/invoices/([^/]+)(/explain|/document\\.pdf|/document\\.html|/credit-notes)?");
    private static final Pattern EVENTS = Pattern.compile("/v1/invoices/([^/]+)/events");

    @Inject
    InvoicingConfig config;
    @Inject
    Clock clock;
    @Inject
    DataSource dataSource;

    /** The claims of a portal session token sent to this request, after checking the route is one it may read. */
    public static PortalTokens.Claims of(ContainerRequestContext request) {
        return (PortalTokens.Claims) request.getProperty(CLAIMS);
    }

    Caller authorize(ContainerRequestContext request, String token, boolean read) {
        PortalTokens.Claims c = PortalTokens.verify(config.portal().secret().orElse(null), token, clock.instant().getEpochSecond());
        if (c == null) {
            throw ProblemException.unauthorized("the portal session is invalid or has expired: ask for a new one");
        }
        String path = "/" + request.getUriInfo().getPath().replaceFirst("^/+", "");
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        String scope = read ? scope(c, path, query.getFirst("customer"), query.getFirst("invoice")) : null;
        if (scope == null) {
            throw ProblemException.notFound("not-found", "a portal session reads its own customer's usage and invoices only");
        }
        if (!scope.isEmpty() && !c.allows(scope)) {
            throw ProblemException.forbidden("this portal session does not include " + scope);
        }
        request.setProperty(CLAIMS, c);
        return new Caller(false, c.tenantId(), "portal:" + c.sessionId(), "portal", null);
    }

    /** The scope the route needs ("" for none), or null when a portal session may not read it. */
    private String scope(PortalTokens.Claims c, String path, String customerQuery, String invoiceQuery) {
        if (path.equals("/v1/portal/context")) {
            return "";
        }
        Matcher m = DRAFT.matcher(path);
        if (m.matches()) {
            return m.group(1).equals(c.externalId()) ? "usage" : null;
        }
        if (path.equals("/v1/invoices")) {
            return c.externalId().equals(customerQuery) ? "invoices" : null;
        }
        if (path.equals("/v1/refunds")) { // the refunds of one of its invoices: whether each has gone through
            return invoiceQuery != null && owns(c, invoiceQuery) ? "invoices" : null;
        }
        m = EVENTS.matcher(path);
        if (m.matches()) {
            return owns(c, m.group(1)) ? "download" : null;
        }
        m = INVOICE.matcher(path);
        if (m.matches()) {
            return owns(c, m.group(1)) ? "invoices" : null;
        }
        return null;
    }

    private boolean owns(PortalTokens.Claims c, String invoiceId) {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("select customer_id from invoice where tenant_id = ? and invoice_id = ?")) {
            ps.setString(1, c.tenantId());
            ps.setString(2, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && c.customerId().equals(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading an invoice's customer", e);
        }
    }
}
