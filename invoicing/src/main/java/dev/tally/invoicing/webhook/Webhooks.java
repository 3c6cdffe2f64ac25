package dev.tally.invoicing.webhook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.security.SecretsAtRest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Webhook endpoints and deliveries (tables in V8__webhooks.sql). */
@ApplicationScoped
public class Webhooks {
    public static final String ALERT_CROSSED = "alert.threshold_crossed";
    public static final String RECONCILIATION_DRIFT = "reconciliation.drift";
    public static final String INVOICE_FINALIZED = "invoice.finalized";
    public static final String CREDIT_NOTE_ISSUED = "credit_note.issued";
    /** Every type an endpoint may subscribe to. */
    public static final List<String> EVENT_TYPES = List.of(ALERT_CROSSED, RECONCILIATION_DRIFT, INVOICE_FINALIZED, "invoice.paid",
            "invoice.voided", CREDIT_NOTE_ISSUED, "refund.pending", "refund.succeeded", "refund.failed");
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    /** Made with the bean, at run time: a SecureRandom built into a native image's heap would repeat its seed. */
    private final SecureRandom random = new SecureRandom();

    @Inject
    DataSource dataSource;
    @Inject
    SecretsAtRest secrets;
    @Inject
    ObjectMapper json;

    /** An endpoint as listed (never with its secret). */
    public record Endpoint(String endpointId, String url, List<String> eventTypes, boolean disabled, Instant createdAt) {
    }

    /** The answer to creating an endpoint: the only time the secret is shown. */
    @Schema(name = "CreatedWebhookEndpoint")
    public record Created(String endpointId, String url, List<String> eventTypes, String secret) {
    }

    /** A delivery as listed. */
    public record Delivery(long deliveryId, String endpointId, String eventId, String eventType, String status, int attempts,
            Instant nextAttemptAt, Integer lastStatus, String lastError, Instant deliveredAt) {
    }

    /** Where an endpoint's signing secret is stored (its ciphertext is bound to this). */
    public static String secretContext(String tenantId, String endpointId) {
        return SecretsAtRest.context("webhook_endpoint", "secret", tenantId, endpointId);
    }

    public Created create(String tenantId, String url, List<String> eventTypes) throws Exception {
        byte[] raw = new byte[24];
        random.nextBytes(raw);
        String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        byte[] id = new byte[9];
        random.nextBytes(id);
        String endpointId = "we_" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into webhook_endpoint (tenant_id, endpoint_id, url, secret, event_types_json) values (?, ?, ?, ?, ?)")) {
            ps.setString(1, tenantId);
            ps.setString(2, endpointId);
            ps.setString(3, url);
            ps.setString(4, secrets.seal(secret, secretContext(tenantId, endpointId)));
            ps.setString(5, json.writeValueAsString(eventTypes));
            ps.executeUpdate();
        }
        return new Created(endpointId, url, eventTypes, secret);
    }

    public List<Endpoint> endpoints(String tenantId) throws Exception {
        List<Endpoint> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select endpoint_id, url, event_types_json, disabled, created_at from webhook_endpoint
                     where tenant_id = ? order by created_at, endpoint_id""")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Endpoint(rs.getString(1), rs.getString(2), json.readValue(rs.getString(3), STRINGS), rs.getBoolean(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return out;
    }

    /** Disables the endpoint (kept for its delivery history); false if the tenant has no such endpoint. */
    public boolean disable(String tenantId, String endpointId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update webhook_endpoint set disabled = true where tenant_id = ? and endpoint_id = ? and not disabled")) {
            ps.setString(1, tenantId);
            ps.setString(2, endpointId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records a delivery of the event to every live endpoint of the tenant that wants its type (once per endpoint and event). */
    public int enqueue(Connection c, String tenantId, String eventId, String eventType, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into webhook_delivery (tenant_id, endpoint_id, event_id, event_type, payload)
                select tenant_id, endpoint_id, ?, ?, ? from webhook_endpoint
                where tenant_id = ? and not disabled and jsonb_exists(event_types_json::jsonb, ?)
                on conflict do nothing""")) {
            ps.setString(1, eventId);
            ps.setString(2, eventType);
            ps.setString(3, payload);
            ps.setString(4, tenantId);
            ps.setString(5, eventType);
            return ps.executeUpdate();
        }
    }

    public List<Delivery> deliveries(String tenantId, String endpointId, int limit) throws SQLException {
        List<Delivery> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select delivery_id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, last_status, last_error,
                            delivered_at
                     from webhook_delivery where tenant_id = ? and (?::text is null or endpoint_id = ?)
                     order by delivery_id desc limit ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, endpointId);
            ps.setString(3, endpointId);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp delivered = rs.getTimestamp(10);
                    out.add(new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                            rs.getTimestamp(7).toInstant(), (Integer) rs.getObject(8), rs.getString(9),
                            delivered == null ? null : delivered.toInstant()));
                }
            }
        }
        return out;
    }
}
