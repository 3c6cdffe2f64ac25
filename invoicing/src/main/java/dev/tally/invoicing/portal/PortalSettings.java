package dev.tally.invoicing.portal;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A tenant's portal settings: the origins allowed to frame the portal (its {@code frame-ancestors}, so it embeds in
 * the tenant's own product and nowhere else; none: not framed at all), the accent colour of its pages and its logo (a
 * PNG of at most {@link #MAX_LOGO_BYTES}, base64 in the API; the audit trail keeps its SHA-256, not the image).
 */
@ApplicationScoped
public class PortalSettings {
    static final int MAX_ORIGINS = 10;
    static final int MAX_LOGO_BYTES = 65_536;
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** https origins, or http on the local machine (a tenant trying it locally). No paths, no wildcards. */
    private static final Pattern ORIGIN = Pattern.compile("https://[a-z0-9.-]+(:[0-9]{1,5})?|http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?");
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

    @Inject
    AuditLog audit;

    /** The settings as the API shows and takes them. */
    public record Settings(List<String> frameAncestors, String accentColor, String logoPng) {
    }

    public Settings get(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select portal_frame_ancestors, portal_accent, portal_logo from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ProblemException.notFound("unknown-tenant", "no tenant '" + tenantId + "'");
                }
                Array a = rs.getArray(1);
                byte[] logo = rs.getBytes(3);
                return new Settings(a == null ? List.of() : List.of((String[]) a.getArray()), rs.getString(2),
                        logo == null ? null : Base64.getEncoder().encodeToString(logo));
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
        byte[] logo = logo(body.logoPng());
        Settings before = get(c, tenantId);
        try (PreparedStatement ps = c.prepareStatement("update tenant set portal_frame_ancestors = ?, portal_accent = ?, portal_logo = ? "
                + "where tenant_id = ?")) {
            ps.setArray(1, c.createArrayOf("text", origins.toArray()));
            ps.setString(2, body.accentColor());
            ps.setBytes(3, logo);
            ps.setString(4, tenantId);
            ps.executeUpdate();
        }
        Settings after = new Settings(List.copyOf(origins), body.accentColor(), body.logoPng() == null ? null : body.logoPng().strip());
        audit.record(tenantId, actor, "portal_settings", tenantId, "update", audited(before), audited(after));
        return after;
    }

    /** A logo as the API takes it (base64 of a PNG), checked; null for none. */
    private static byte[] logo(String base64) {
        if (base64 == null) {
            return null;
        }
        byte[] png;
        try {
            png = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-field", "logoPng: base64 of a PNG image", "logoPng");
        }
        if (png.length > MAX_LOGO_BYTES) {
            throw ProblemException.badRequest("invalid-field", "logoPng: at most " + MAX_LOGO_BYTES + " bytes (this one has " + png.length + ")",
                    "logoPng");
        }
        if (png.length < 24 || !Arrays.equals(Arrays.copyOf(png, PNG.length), PNG)) {
            throw ProblemException.badRequest("invalid-field", "logoPng: not a PNG image (only PNG is taken: it carries no script)", "logoPng");
        }
        return png;
    }

    /** The settings as the audit trail keeps them: the logo by its SHA-256. */
    private static Settings audited(Settings s) {
        if (s.logoPng() == null) {
            return s;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(s.logoPng()));
            return new Settings(s.frameAncestors(), s.accentColor(), "sha256:" + HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
