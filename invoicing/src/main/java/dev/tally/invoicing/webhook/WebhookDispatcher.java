package dev.tally.invoicing.webhook;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.security.SecretsAtRest;
import dev.tally.model.webhook.Backoff;
import dev.tally.platform.security.WebhookSignature;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Sends due webhook deliveries: claims a batch with a lease (short transaction, {@code skip locked},
 * so several invoicing instances share the work), POSTs each outside any transaction with a
 * {@link WebhookSignature} header, then records the answer — delivered on 2xx, else retried after
 * {@link Backoff#after} until {@link Backoff#MAX_ATTEMPTS}, then failed. A crash after sending and
 * before recording repeats the send when the lease runs out: receivers dedupe on {@code Tally-Event-Id}
 * (also sent as {@code Idempotency-Key}). Secrets and payloads are never logged.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    /** Longer than a whole batch can take (each send: 5 s to connect + the answer timeout): no one else claims it meanwhile. */
    static final Duration LEASE = Duration.ofMinutes(5);
    static final int BATCH = 10;

    @Inject
    DataSource dataSource;
    @Inject
    SecretsAtRest secrets;
    @Inject
    Clock clock;
    @Inject
    InvoicingConfig config;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private record Due(long deliveryId, String eventId, String eventType, String payload, int attempts, String url, String secret) {
    }

    @Scheduled(every = "${tally.webhooks.dispatch-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            while (dispatchOnce() == BATCH) {
                // a full batch: there may be more due
            }
        } catch (Exception e) {
            LOG.warnf("webhook dispatch failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Sends one batch of due deliveries; returns how many it attempted. */
    public int dispatchOnce() throws Exception {
        List<Due> due = claim();
        for (Due d : due) {
            Integer status = null;
            String error = null;
            try {
                URI target = URI.create(d.url());
                if (!config.webhooks().allowPrivateAddresses() && internal(target.getHost())) {
                    throw new IOException("refused: " + target.getHost() + " resolves to a loopback, private or link-local address");
                }
                long now = clock.instant().getEpochSecond();
                HttpRequest request = HttpRequest.newBuilder(target).timeout(config.webhooks().timeout())
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "Tally-Webhooks/1")
                        .header(WebhookSignature.HEADER, WebhookSignature.header(d.secret(), now, d.payload()))
                        .header("Tally-Event-Id", d.eventId())
                        .header("Tally-Event-Type", d.eventType())
                        .header("Tally-Delivery-Id", Long.toString(d.deliveryId()))
                        .header("Idempotency-Key", d.eventId())
                        .POST(HttpRequest.BodyPublishers.ofString(d.payload())).build();
                status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException | IllegalArgumentException e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            record(d, status, error);
        }
        return due.size();
    }

    /** A tenant's URL must not reach into the network Tally runs in. */
    public static boolean internal(String host) throws UnknownHostException {
        if (host == null) {
            return true;
        }
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()
                    || (a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc)) {
                return true;
            }
        }
        return false;
    }

    private List<Due> claim() throws Exception {
        List<Due> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    with due as (
                      select d.delivery_id from webhook_delivery d
                      join webhook_endpoint e on e.tenant_id = d.tenant_id and e.endpoint_id = d.endpoint_id
                      where d.status = 'pending' and d.next_attempt_at <= now() and not e.disabled
                      order by d.next_attempt_at limit ? for update of d skip locked)
                    update webhook_delivery d set next_attempt_at = now() + ?::interval
                    from due, webhook_endpoint e
                    where d.delivery_id = due.delivery_id and e.tenant_id = d.tenant_id and e.endpoint_id = d.endpoint_id
                    returning d.delivery_id, d.event_id, d.event_type, d.payload, d.attempts, e.url, e.secret, e.tenant_id, e.endpoint_id""")) {
                ps.setInt(1, BATCH);
                ps.setString(2, LEASE.toSeconds() + " seconds");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                                secrets.open(rs.getString(7), Webhooks.secretContext(rs.getString(8), rs.getString(9)))));
                    }
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        return out;
    }

    private void record(Due d, Integer status, String error) throws Exception {
        boolean ok = status != null && status >= 200 && status < 300;
        int attempts = d.attempts() + 1;
        boolean givenUp = !ok && attempts >= Backoff.MAX_ATTEMPTS;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update webhook_delivery set attempts = ?, status = ?, last_status = ?, last_error = ?, next_attempt_at = ?,
                       delivered_at = case when ? then now() else delivered_at end
                     where delivery_id = ? and attempts = ? and status = 'pending'""")) {
            ps.setInt(1, attempts);
            ps.setString(2, ok ? "delivered" : givenUp ? "failed" : "pending");
            ps.setObject(3, status);
            ps.setString(4, ok ? null : error != null ? error : "HTTP " + status);
            ps.setTimestamp(5, Timestamp.from(ok || givenUp ? clock.instant() : clock.instant().plus(Backoff.after(attempts))));
            ps.setBoolean(6, ok);
            ps.setLong(7, d.deliveryId());
            ps.setInt(8, d.attempts()); // only the claim that read these attempts may record them
            ps.executeUpdate();
        }
        if (givenUp) {
            LOG.warnf("webhook delivery %d (event %s) failed %d times and is given up: %s", d.deliveryId(), d.eventId(), attempts,
                    error != null ? error : "HTTP " + status);
        }
    }
}
