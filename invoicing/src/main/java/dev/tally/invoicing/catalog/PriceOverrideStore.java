package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code price_override} table: customers' negotiated prices, immutable but for their end (a trigger holds it).
 * Reads take the caller's connection, so a close prices with what its own transaction sees.
 */
@ApplicationScoped
public class PriceOverrideStore {
    private static final String COLUMNS = "override_id, customer_id, subscription_id, plan_key, meter_key, price_json, effective_from, "
            + "effective_until, reason";

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    public void insert(Connection c, String tenantId, PriceOverride o, String actor) throws SQLException, JsonProcessingException {
        try (PreparedStatement ps = c.prepareStatement("insert into price_override (tenant_id, " + COLUMNS + ", created_by) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, tenantId);
            ps.setString(2, o.overrideId());
            ps.setString(3, o.customerId());
            ps.setString(4, o.subscriptionId());
            ps.setString(5, o.planKey());
            ps.setString(6, o.meter());
            ps.setString(7, json.writeValueAsString(o.price()));
            ps.setTimestamp(8, Timestamp.from(o.effectiveFrom()));
            ps.setTimestamp(9, o.effectiveUntil() == null ? null : Timestamp.from(o.effectiveUntil()));
            ps.setString(10, o.reason());
            ps.setString(11, actor);
            ps.executeUpdate();
        }
    }

    /** Sets the override's end; the trigger lets nothing else change. */
    public void end(Connection c, String tenantId, String overrideId, Instant until, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update price_override set effective_until = ?, ended_by = ? where tenant_id = ? and override_id = ?")) {
            ps.setTimestamp(1, Timestamp.from(until));
            ps.setString(2, actor);
            ps.setString(3, tenantId);
            ps.setString(4, overrideId);
            ps.executeUpdate();
        }
    }

    /** One override of the tenant, locked until the caller's transaction ends; null when there is none. */
    public PriceOverride lock(Connection c, String tenantId, String overrideId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from price_override where tenant_id = ? and override_id = ? "
                + "for update")) {
            ps.setString(1, tenantId);
            ps.setString(2, overrideId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    /** The overrides of these customers (ended ones too), by customer id, oldest first. */
    public Map<String, List<PriceOverride>> ofCustomers(Connection c, String tenantId, Collection<String> customerIds) throws SQLException {
        Map<String, List<PriceOverride>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from price_override where tenant_id = ? and customer_id = any(?) "
                + "order by effective_from, override_id")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", customerIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PriceOverride o = read(rs);
                    out.computeIfAbsent(o.customerId(), k -> new ArrayList<>()).add(o);
                }
            }
        }
        return out;
    }

    /** The overrides of one customer (ended ones too), oldest first. */
    public List<PriceOverride> ofCustomer(Connection c, String tenantId, String customerId) throws SQLException {
        return ofCustomers(c, tenantId, List.of(customerId)).getOrDefault(customerId, List.of());
    }

    /** As {@link #ofCustomer(Connection, String, String)}, on a connection of its own. */
    public List<PriceOverride> ofCustomer(String tenantId, String customerId) {
        try (Connection c = dataSource.getConnection()) {
            return ofCustomer(c, tenantId, customerId);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private PriceOverride read(ResultSet rs) throws SQLException {
        PlanSpec.PriceSpec price;
        try {
            price = json.readValue(rs.getString(6), PlanSpec.PriceSpec.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored price override " + rs.getString(1) + " does not parse", e);
        }
        Timestamp until = rs.getTimestamp(8);
        return new PriceOverride(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), price,
                rs.getTimestamp(7).toInstant(), until == null ? null : until.toInstant(), rs.getString(9));
    }
}
