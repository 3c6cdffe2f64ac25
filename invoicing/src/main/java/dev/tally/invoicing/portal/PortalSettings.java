package dev.tally.invoicing.portal;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A tenant's portal settings: the origins allowed to frame the portal (its {@code frame-ancestors}, so it embeds in
 * the tenant's own product and nowhere else; none: not framed at all) and the accent colour of its pages.
 */
@ApplicationScoped
public class PortalSettings {
    static final int MAX_ORIGINS = 10;
    /** https origins, or http on the local machine (a tenant trying it locally). No paths, no wildcards. */
    private static final Pattern ORIGIN = Pattern.compile("https://[a-z0-9.-]+(:[0-9]{1,5})?|http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?");
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

    @Inject
    AuditLog audit;

    /** The settings as the API shows and takes them. */
    public record Settings(List<String> frameAncestors, String accentColor) {
    }

    public Settings get(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select portal_frame_ancestors, portal_accent from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
                }
                Array a = rs.getArray(1);
                return new Settings(a == null ? List.of() : List.of((String[]) a.getArray()), rs.getString(2));
            }
        }
    }

    public Settings put(Connection c, String tenantId, Settings body, String actor) throws SQLException {
        List<String> origins = new ArrayList<>();
        List<String> given = body.frameAncestors() == null ? List.of() : body.frameAncestors();
        if (given.size() > MAX_ORIGINS) {
            throw ProblemException.badRequest("invalid-field", "frameAncestors: at most " + MAX_ORIGINS + " origins", "frameAncestors");
        }
        for (int i = 0; i < given.size(); i++) {
            String o = given.get(i) == null ? "" : given.get(i).strip().toLowerCase(Locale.ROOT);
            if (!ORIGIN.matcher(o).matches()) {
                throw ProblemException.badRequest("invalid-field", "frameAncestors[" + i + "]: an origin such as https://app.example.com (https, "
                        + "or http://localhost for a local try; no path, no wildcard)", "frameAncestors[" + i + "]");
            }
            if (!origins.contains(o)) {
                origins.add(o);
            }
        }
        if (body.accentColor() != null && !COLOUR.matcher(body.accentColor()).matches()) {
            throw ProblemException.badRequest("invalid-field", "accentColor: a colour such as #0a7d5a", "accentColor");
        }
        Settings before = get(c, tenantId);
        try (PreparedStatement ps = c.prepareStatement("update tenant set portal_frame_ancestors = ?, portal_accent = ? where tenant_id = ?")) {
            ps.setArray(1, c.createArrayOf("text", origins.toArray()));
            ps.setString(2, body.accentColor());
            ps.setString(3, tenantId);
            ps.executeUpdate();
        }
        Settings after = new Settings(List.copyOf(origins), body.accentColor());
        audit.record(tenantId, actor, "portal_settings", tenantId, "update", before, after);
        return after;
    }
}
