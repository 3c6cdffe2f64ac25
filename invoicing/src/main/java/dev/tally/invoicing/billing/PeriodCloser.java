package dev.tally.invoicing.billing;

import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.kafka.KafkaClients;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

/**
 * Closes billing periods. A subscription period is due once the platform watermark — the least of rating's
 * per-partition watermarks: every event accepted before it has been rated — has passed the period's end plus
 * the tenant's grace period ({@code tenant.close_grace}, default 1 hour), and invoicing has stored every usage
 * snapshot published so far (its usage consumer's committed offsets reach the topic's end, read after the
 * watermark). Due periods are finalized oldest first, {@value #CHUNK} per transaction, under a per-tenant lock.
 * A period that has an invoice — live or void — is never closed again automatically; a void one is reissued on
 * request. After the periods, the late usage of customers with no period left to close goes on stand-alone adjustment
 * invoices ({@link AdjustmentInvoices}).
 */
@ApplicationScoped
public class PeriodCloser {
    private static final Logger LOG = Logger.getLogger(PeriodCloser.class);
    static final int CHUNK = 200;
    /** Reading every subscription of a large tenant takes longer than the default 60 s transaction. */
    static final int DUE_TIMEOUT_SECONDS = 600;

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    KafkaClients kafka;
    @Inject
    Invoices invoices;
    @Inject
    InvoicingConfig config;
    @Inject
    AdjustmentInvoices adjustmentInvoices;

    /** One period to finalize. */
    public record Due(Invoices.Customer customer, Subscription subscription, BillingPeriod period) {
    }

    /**
     * The last scheduled close run of this instance: {@code outcome} {@code closed}, {@code no-watermark} (rating has
     * not marked every partition yet), {@code waiting-for-usage} (invoicing has not stored every snapshot yet) or
     * {@code failed}; {@code failures} counts the tenants and periods that failed in it, {@code lastFailure} names one.
     */
    @Schema(name = "CloseRun") public record Run(Instant startedAt, Instant finishedAt, Instant watermark, String outcome, int finalized, int failures, String lastFailure) {
    }

    private volatile Run lastRun;
    private final AtomicInteger runFailures = new AtomicInteger();
    private volatile String runLastFailure;

    /** The last scheduled run (null before the first); what the console's overview shows. */
    public Run lastRun() {
        return lastRun;
    }

    @Scheduled(every = "${tally.invoicing.close-every:10s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Instant started = clock.instant();
        runFailures.set(0);
        runLastFailure = null;
        Instant watermark = null;
        try {
            watermark = platformWatermark();
            if (watermark == null) {
                lastRun = new Run(started, clock.instant(), null, "no-watermark", 0, 0, null);
                return;
            }
            if (!usageCaughtUp()) {
                LOG.debug("period close waits: invoicing has not stored every published usage snapshot yet");
                lastRun = new Run(started, clock.instant(), watermark, "waiting-for-usage", 0, 0, null);
                return;
            }
            int n = closeUpTo(watermark, "watermark", clock.instant());
            if (n > 0) {
                LOG.infof("finalized %d invoices (watermark %s)", n, watermark);
            }
            lastRun = new Run(started, clock.instant(), watermark, "closed", n, runFailures.get(), runLastFailure);
        } catch (Exception e) {
            LOG.errorf(e, "period close failed; retried on the next run");
            lastRun = new Run(started, clock.instant(), watermark, "failed", 0, runFailures.get() + 1, e.toString());
        }
    }

    private void failed(String what, Exception e) {
        runFailures.incrementAndGet();
        runLastFailure = what + ": " + e;
    }

    /**
     * The platform watermark: the least {@code accepted_before} over every partition of
     * {@link Topics#EVENTS_ACCEPTED}; null until rating has reported each of them.
     */
    public Instant platformWatermark() throws SQLException {
        int partitions;
        try (KafkaConsumer<String, String> probe = kafka.consumer(config.invoicing().consumer().group(), "invoicing-close-probe")) {
            List<PartitionInfo> infos = probe.partitionsFor(Topics.EVENTS_ACCEPTED, Duration.ofSeconds(10));
            partitions = infos == null ? 0 : infos.size();
        }
        if (partitions == 0) {
            return null;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select count(*), min(accepted_before) from rating_watermark where kafka_partition < ?")) {
            ps.setInt(1, partitions);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) < partitions ? null : rs.getTimestamp(2).toInstant();
            }
        }
    }

    /** Whether the usage consumer's committed offsets reach the end of {@link Topics#USAGE_RATED} as of now. */
    public boolean usageCaughtUp() {
        try (KafkaConsumer<String, String> probe = kafka.consumer(config.invoicing().consumer().group(), "invoicing-close-probe")) {
            Set<TopicPartition> parts = new HashSet<>();
            for (PartitionInfo p : probe.partitionsFor(Topics.USAGE_RATED, Duration.ofSeconds(10))) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            Map<TopicPartition, Long> end = probe.endOffsets(parts, Duration.ofSeconds(10));
            Map<TopicPartition, OffsetAndMetadata> committed = probe.committed(parts, Duration.ofSeconds(10));
            for (TopicPartition tp : parts) {
                long e = end.getOrDefault(tp, 0L);
                OffsetAndMetadata done = committed.get(tp);
                if (e > 0 && (done == null || done.offset() < e)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Finalizes, for every tenant, the periods due at {@code watermark}; returns how many invoices it finalized. */
    public int closeUpTo(Instant watermark, String actor, Instant now) throws Exception {
        Map<String, Duration> tenants = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select tenant_id, extract(epoch from close_grace)::bigint from tenant")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tenants.put(rs.getString(1), Duration.ofSeconds(rs.getLong(2)));
                }
            }
        }
        int finalized = 0;
        for (Map.Entry<String, Duration> t : tenants.entrySet()) {
            try {
                finalized += closeTenant(t.getKey(), watermark.minus(t.getValue()), actor, now);
            } catch (Exception e) {
                // one tenant's failure does not hold the others' closes
                LOG.errorf(e, "closing periods of tenant %s failed; retried on the next run", t.getKey());
                failed("tenant " + t.getKey(), e);
            }
        }
        return finalized;
    }

    /** As {@link #closeUpTo} for one tenant: its periods due at {@code watermark} with its grace period. */
    public int closeTenantAt(String tenantId, Instant watermark, String actor, Instant now) throws Exception {
        Duration grace;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select extract(epoch from close_grace)::bigint from tenant where tenant_id = ?")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                grace = Duration.ofSeconds(rs.getLong(1));
            }
        }
        return closeTenant(tenantId, watermark.minus(grace), actor, now);
    }

    /** Finalizes the tenant's periods that end at or before {@code cutoff}, in chunks; 0 if another closer holds the tenant. */
    public int closeTenant(String tenantId, Instant cutoff, String actor, Instant now) throws Exception {
        List<Due> due = QuarkusTransaction.requiringNew().timeout(DUE_TIMEOUT_SECONDS).call(() -> due(tenantId, cutoff, null));
        int done = 0;
        Set<String> failed = new HashSet<>(); // subscriptions with a period that failed: their later periods wait too
        for (int from = 0; from < due.size(); from += CHUNK) {
            List<Due> chunk = due.subList(from, Math.min(due.size(), from + CHUNK));
            Integer n;
            try {
                n = QuarkusTransaction.requiringNew().call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        if (!tryLock(c, tenantId)) {
                            return null;
                        }
                        invoices.finalizeAll(c, tenantId, chunk, actor, null, now);
                        return chunk.size();
                    }
                });
            } catch (Exception e) {
                // the batch rolled back whole (numbers included); each period again in its own transaction, so one that
                // fails (a plan version missing, a concurrent close) holds back only its own subscription
                LOG.warnf("a batch of %d periods of tenant %s failed (%s); finalizing them one by one", chunk.size(), tenantId, e.getMessage());
                n = 0;
                for (Due d : chunk) {
                    if (failed.contains(d.subscription().subscriptionId())) {
                        continue; // periods close in order: never one after a period left open
                    }
                    try {
                        Boolean ok = QuarkusTransaction.requiringNew().call(() -> {
                            try (Connection c = dataSource.getConnection()) {
                                if (!tryLock(c, tenantId)) {
                                    return false;
                                }
                                invoices.finalizePeriod(c, tenantId, d.customer(), d.subscription(), d.period(), actor, null, now);
                                return true;
                            }
                        });
                        if (!ok) {
                            return done + n; // another instance is closing this tenant
                        }
                        n++;
                    } catch (Exception one) {
                        failed.add(d.subscription().subscriptionId());
                        failed("period " + d.period() + " of subscription " + d.subscription().subscriptionId(), one);
                        LOG.errorf(one, "period %s of subscription %s (tenant %s) not finalized; retried on the next run", d.period(),
                                d.subscription().subscriptionId(), tenantId);
                    }
                }
            }
            if (n == null) {
                return done; // another instance is closing this tenant
            }
            done += n;
        }
        return done + billStranded(tenantId, cutoff, actor, now);
    }

    /**
     * The stand-alone adjustment invoices of customers with no period left to close, whose late usage arrived by
     * {@code cutoff} ({@link AdjustmentInvoices}); their own transaction, after the periods closed.
     */
    private int billStranded(String tenantId, Instant cutoff, String actor, Instant now) {
        try {
            Integer n = QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    return tryLock(c, tenantId) ? adjustmentInvoices.billStranded(c, tenantId, cutoff, actor, now).size() : 0;
                }
            });
            if (n > 0) {
                LOG.infof("issued %d stand-alone adjustment invoices (tenant %s)", n, tenantId);
            }
            return n;
        } catch (Exception e) {
            failed("adjustment invoices of tenant " + tenantId, e);
            LOG.errorf(e, "adjustment invoices of tenant %s not issued; retried on the next run", tenantId);
            return 0;
        }
    }

    /**
     * The tenant's subscription periods ending at or before {@code cutoff} that have no invoice yet (live or
     * void), oldest first per subscription; only {@code customerId}'s when not null. In the caller's transaction.
     */
    public List<Due> due(String tenantId, Instant cutoff, String customerId) throws SQLException {
        Map<String, Instant> invoicedUntil = new HashMap<>();
        Map<String, Invoices.Customer> customers = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    select subscription_id, max(period_end) from invoice
                    where tenant_id = ? and kind = 'usage' and (?::text is null or customer_id = ?) group by subscription_id""")) {
                ps.setString(1, tenantId);
                ps.setString(2, customerId);
                ps.setString(3, customerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        invoicedUntil.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    select customer_id, external_id, currency, tax_region from customer
                    where tenant_id = ? and (?::text is null or customer_id = ?)""")) {
                ps.setString(1, tenantId);
                ps.setString(2, customerId);
                ps.setString(3, customerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        customers.put(rs.getString(1), new Invoices.Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
        }
        List<String> candidates = candidates(tenantId, cutoff, customerId, invoicedUntil);
        List<Subscription> loaded;
        if (candidates.size() > FEW) { // a first close, or most subscriptions due: one read of them all
            List<SubscriptionEntity> all = customerId == null
                    ? SubscriptionEntity.list("tenantId = ?1 and startAt < ?2", tenantId, cutoff)
                    : SubscriptionEntity.list("tenantId = ?1 and customerId = ?2 and startAt < ?3", tenantId, customerId, cutoff);
            loaded = SubscriptionService.loadAll(tenantId, all);
        } else {
            loaded = SubscriptionService.loadAll(tenantId, candidates);
        }
        List<Due> out = new ArrayList<>();
        for (Subscription s : loaded) {
            Invoices.Customer customer = customers.get(s.customerId());
            if (customer == null) {
                continue;
            }
            Instant t = invoicedUntil.getOrDefault(s.subscriptionId(), s.start());
            while (true) {
                BillingPeriod p = s.periodAt(t).orElse(null);
                if (p == null || p.end().isAfter(cutoff)) {
                    break;
                }
                out.add(new Due(customer, s, p));
                t = p.end();
            }
        }
        // oldest first (numbers follow the periods), each subscription's periods in order
        out.sort(Comparator.comparing((Due d) -> d.period().start()).thenComparing(d -> d.subscription().subscriptionId()));
        return out;
    }

    /** Up to this many candidate subscriptions are loaded by id; more, and the tenant's are read at once. */
    static final int FEW = 2_000;
    /** A period that starts where the last invoiced one ended (a cycle anchor) lasts at least this long (monthly: 28 days). */
    static final Duration SHORTEST_FULL_PERIOD = Duration.ofDays(28);

    /**
     * The subscriptions that may have a period due at {@code cutoff}, from plain rows: never invoiced (a first period may
     * be short), invoiced up to {@link #SHORTEST_FULL_PERIOD} before the cutoff, or ending by it after what is invoiced.
     */
    private List<String> candidates(String tenantId, Instant cutoff, String customerId, Map<String, Instant> invoicedUntil) throws SQLException {
        List<String> out = new ArrayList<>();
        Instant full = cutoff.minus(SHORTEST_FULL_PERIOD);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select subscription_id, end_at from subscription
                     where tenant_id = ? and start_at < ? and (?::text is null or customer_id = ?)""")) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, Timestamp.from(cutoff));
            ps.setString(3, customerId);
            ps.setString(4, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant until = invoicedUntil.get(rs.getString(1));
                    Timestamp end = rs.getTimestamp(2);
                    if (until == null || !until.isAfter(full) || end != null && end.toInstant().isAfter(until) && !end.toInstant().isAfter(cutoff)) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    /** Waits for the tenant's close lock (held to the end of the transaction): forced closes and reissues queue behind the closer. */
    public static void lock(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('close:' || ?))")) {
            ps.setString(1, tenantId);
            ps.execute();
        }
    }

    private static boolean tryLock(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_xact_lock(hashtext('close:' || ?))")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
