package dev.tally.invoicing.catalog;

import dev.tally.model.attribution.Cidr;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Finding a customer the way support asks: by external id, name or alias ({@code q}: a prefix of the external id or
 * of an alias, or any part of the name, case-insensitive), or by IP address ({@code ip}: the customer whose CIDR alias
 * holds it, longest prefix first — the customer ingest attributes that address to). Paged and sorted in the database.
 */
@ApplicationScoped
public class CustomerSearch {
    /** Sort keys the API accepts, each with a tie-breaker so pages never overlap. */
    private static final Map<String, String> SORTS = Map.of(
            "externalId", "c.external_id", "-externalId", "c.external_id desc",
            "name", "lower(c.name), c.external_id", "-name", "lower(c.name) desc, c.external_id",
            "createdAt", "c.created_at, c.external_id", "-createdAt", "c.created_at desc, c.external_id");

    @Inject
    DataSource dataSource;

    /** {@code matchedBy}: what found it — {@code externalId}, {@code name}, {@code alias:<kind>} or {@code cidr:<range>}. */
    public record Hit(String customerId, String externalId, String name, String currency, Instant createdAt, String matchedBy) {
    }

    public record Page(List<Hit> customers, long total, int offset, int limit, String sort) {
    }

    public static List<String> sorts() {
        return SORTS.keySet().stream().sorted().toList();
    }

    public Page search(String tenantId, String q, String ip, String sort, int offset, int limit) throws SQLException {
        String order = SORTS.get(sort == null ? "externalId" : sort);
        if (order == null) {
            throw ProblemException.badRequest("invalid-field", "sort must be one of " + sorts(), "sort");
        }
        if (ip != null && !ip.isBlank()) {
            try {
                Cidr.parseAddress(ip.strip());
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("invalid-field", "ip '" + ip + "' is not an IPv4 or IPv6 address", "ip");
            }
            return byIp(tenantId, ip.strip(), limit);
        }
        String term = q == null ? "" : q.strip().toLowerCase(Locale.ROOT);
        if (term.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "q: at most 200 characters", "q");
        }
        String sorted = sort == null ? "externalId" : sort;
        try (Connection c = dataSource.getConnection()) {
            if (term.isEmpty()) {
                return new Page(all(c, tenantId, order, offset, limit), count(c, tenantId), offset, limit, sorted);
            }
            Page page = matching(c, tenantId, escapeLike(term), order, offset, limit, sorted);
            if (page.customers().isEmpty() && offset > 0) { // past the end: count from the first page
                return new Page(page.customers(), matching(c, tenantId, escapeLike(term), order, 0, 1, sorted).total(), offset, limit, sorted);
            }
            return page;
        }
    }

    private static final String COLUMNS = "c.customer_id, c.external_id, c.name, c.currency, c.created_at";

    /** Every customer: the page in index order. */
    private List<Hit> all(Connection c, String tenantId, String order, int offset, int limit) throws SQLException {
        List<Hit> hits = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + ", null from customer c where c.tenant_id = ? order by "
                + order + " offset ? limit ?")) {
            ps.setString(1, tenantId);
            ps.setInt(2, offset);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hits.add(hit(rs, null));
                }
            }
        }
        return hits;
    }

    /**
     * Customers matching {@code like} (escaped, lower case): each way of matching uses its own index (prefixes) or scan
     * (a name's middle); a customer found several ways is listed once, with the best: its external id, then an alias,
     * then its name.
     */
    private Page matching(Connection c, String tenantId, String like, String order, int offset, int limit, String sorted) throws SQLException {
        String sql = """
                with hits as (
                  select customer_id, 1 as rank, 'externalId' as how from customer
                    where tenant_id = ? and lower(external_id) like ? || '%' escape '\\'
                  union all
                  select customer_id, 2, 'alias:' || kind from customer_alias
                    where tenant_id = ? and kind in ('external_id', 'hostname', 'api_key') and lower(value) like ? || '%' escape '\\'
                  union all
                  select customer_id, 3, 'name' from customer where tenant_id = ? and lower(name) like '%' || ? || '%' escape '\\'
                ), best as (select distinct on (customer_id) customer_id, how from hits order by customer_id, rank)
                """ + "select " + COLUMNS + ", b.how, count(*) over () from best b join customer c on c.tenant_id = ? and c.customer_id = b.customer_id"
                + " order by " + order + " offset ? limit ?"; // (text blocks drop trailing spaces: the spaces are outside)
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (int way = 0; way < 3; way++) {
                ps.setString(i++, tenantId);
                ps.setString(i++, like);
            }
            ps.setString(i++, tenantId);
            ps.setInt(i++, offset);
            ps.setInt(i, limit);
            List<Hit> hits = new ArrayList<>();
            long total = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hits.add(hit(rs, rs.getString(6)));
                    total = rs.getLong(7);
                }
            }
            return new Page(hits, total, offset, limit, sorted);
        }
    }

    private Page byIp(String tenantId, String ip, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select cu.customer_id, cu.external_id, cu.name, cu.currency, cu.created_at, 'cidr:' || a.value
                from customer_alias a join customer cu on cu.tenant_id = a.tenant_id and cu.customer_id = a.customer_id
                where a.tenant_id = ? and a.kind = 'cidr' and a.value::cidr >>= ?::inet
                order by masklen(a.value::cidr) desc, a.value limit ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, ip);
            ps.setInt(3, limit);
            List<Hit> hits = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hits.add(hit(rs, rs.getString(6)));
                }
            }
            // the first hit is the customer ingest attributes the address to; wider ranges that also hold it follow
            return new Page(hits, hits.size(), 0, limit, "longestPrefix");
        }
    }

    private static long count(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from customer where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Hit hit(ResultSet rs, String matchedBy) throws SQLException {
        Timestamp created = rs.getTimestamp(5);
        return new Hit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), created == null ? null : created.toInstant(), matchedBy);
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
