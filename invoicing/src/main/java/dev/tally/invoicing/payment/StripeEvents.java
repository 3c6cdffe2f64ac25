package dev.tally.invoicing.payment;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The bookkeeping of Stripe's webhooks, in the caller's transaction: which events a tenant has handled
 * ({@code provider_event}, so each is handled once) and which Tally invoice a pushed Stripe invoice is
 * ({@code provider_ref}, written by {@link ProviderJobs}).
 */
@ApplicationScoped
public class StripeEvents {
    /** Records the event as handled; false when it already was (a redelivery). */
    public boolean firstDelivery(Connection c, String tenantId, String eventId, String eventType) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into provider_event (tenant_id, provider, event_id, event_type) values (?, 'stripe', ?, ?) on conflict do nothing""")) {
            ps.setString(1, tenantId);
            ps.setString(2, eventId);
            ps.setString(3, eventType);
            return ps.executeUpdate() != 0;
        }
    }

    /** The Tally invoice pushed to Stripe as {@code stripeInvoiceId}, or null when it is none of the tenant's. */
    public String tallyInvoiceId(Connection c, String tenantId, String stripeInvoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select tally_id from provider_ref where tenant_id = ? and provider = 'stripe' and kind = 'invoice' and provider_id = ?""")) {
            ps.setString(1, tenantId);
            ps.setString(2, stripeInvoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
