package dev.tally.platform.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.attribution.AttributionIndex;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Read model of the compacted {@link Topics#CATALOG} topic, rebuilt from the beginning at every
 * start and kept current by a background consumer. Services that are not the catalog's owner use
 * it instead of reading invoicing's tables. Lookups are always by tenant.
 */
@ApplicationScoped
public class CatalogView {
    private static final Logger LOG = Logger.getLogger(CatalogView.class);

    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;

    private final Map<String, CatalogRecordV1.ApiKey> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, CatalogRecordV1.AdminUser> adminUsersByHash = new ConcurrentHashMap<>();
    private final Map<String, CatalogRecordV1.Customer> customersById = new ConcurrentHashMap<>();
    private final Map<String, CatalogRecordV1.Customer> customersByExternalId = new ConcurrentHashMap<>();
    private final Map<String, AttributionIndex> attributionByTenant = new ConcurrentHashMap<>();
    private final Map<String, Map<String, CatalogRecordV1.Meter>> metersByTenant = new ConcurrentHashMap<>();
    private final Map<String, List<MeterDefinition>> definitionsByTenant = new ConcurrentHashMap<>();
    private final Map<String, CatalogRecordV1.PlanVersion> planVersions = new ConcurrentHashMap<>();
    private final Map<String, CatalogRecordV1.Limit> limits = new ConcurrentHashMap<>();
    /** tenant/customerId → overrideId → the customer's negotiated price as it stands. */
    private final Map<String, Map<String, PriceOverride>> overridesByCustomer = new ConcurrentHashMap<>();
    /** tenant/customerId → subscriptionId → the subscription with all its phases. */
    private final Map<String, Map<String, Subscription>> subscriptionsByCustomer = new ConcurrentHashMap<>();
    private final TopicPartition partition = new TopicPartition(Topics.CATALOG, 0);
    private final Object progress = new Object();
    private volatile long position;
    private volatile long initialEnd = -1;
    private volatile boolean loaded;
    private volatile boolean running = true;
    private KafkaConsumer<String, String> consumer;
    private KafkaConsumer<String, String> endProbe;
    private Thread thread;

    @PostConstruct
    void start() {
        consumer = kafka.consumer(null, "catalog-view");
        endProbe = kafka.consumer(null, "catalog-end");
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        thread = Thread.ofPlatform().name("catalog-view").daemon().start(this::loop);
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            consumer.wakeup();
        }
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r.value());
                }
                synchronized (progress) {
                    position = consumer.position(partition);
                    if (initialEnd < 0) {
                        initialEnd = consumer.endOffsets(List.of(partition)).get(partition);
                    }
                    loaded = loaded || position >= initialEnd;
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (Exception e) {
            LOG.error("catalog view stopped", e);
        } finally {
            consumer.close();
            synchronized (endProbe) {
                endProbe.close();
            }
        }
    }

    void apply(String value) throws Exception {
        CatalogRecordV1 r = json.readValue(value, CatalogRecordV1.class);
        switch (r.kind()) {
            case API_KEY -> {
                if (r.apiKey().revoked()) {
                    keysByHash.remove(r.apiKey().sha256());
                } else {
                    keysByHash.put(r.apiKey().sha256(), r.apiKey());
                }
            }
            case CUSTOMER -> applyCustomer(r.customer());
            case METER -> {
                Map<String, CatalogRecordV1.Meter> tenantMeters = metersByTenant.computeIfAbsent(r.meter().tenantId(),
                        t -> new ConcurrentHashMap<>());
                tenantMeters.put(r.meter().meterKey(), r.meter());
                definitionsByTenant.put(r.meter().tenantId(), compile(tenantMeters.values()));
            }
            case SUBSCRIPTION -> {
                Subscription s = r.subscription().subscription();
                subscriptionsByCustomer.computeIfAbsent(r.subscription().tenantId() + "/" + s.customerId(), k -> new ConcurrentHashMap<>())
                        .put(s.subscriptionId(), s);
            }
            case LIMIT -> {
                CatalogRecordV1.Limit l = r.limit();
                String key = l.tenantId() + "/" + l.customerId() + "/" + l.meterKey();
                if (l.deleted()) {
                    limits.remove(key);
                } else {
                    limits.put(key, l);
                }
            }
            case ADMIN_USER -> {
                CatalogRecordV1.AdminUser u = r.adminUser();
                if (u.disabled()) {
                    adminUsersByHash.remove(u.sha256());
                } else {
                    adminUsersByHash.put(u.sha256(), u);
                }
            }
            case PLAN_VERSION -> {
                CatalogRecordV1.PlanVersion v = r.planVersion();
                planVersions.put(v.tenantId() + "/" + v.planKey() + "/" + v.version(), v);
            }
            case PRICE_OVERRIDE -> {
                PriceOverride o = r.priceOverride().override();
                overridesByCustomer.computeIfAbsent(r.priceOverride().tenantId() + "/" + o.customerId(), k -> new ConcurrentHashMap<>())
                        .put(o.overrideId(), o);
            }
        }
    }

    private void applyCustomer(CatalogRecordV1.Customer c) {
        CatalogRecordV1.Customer before = customersById.put(c.tenantId() + "/" + c.customerId(), c);
        if (c.externalId() != null) {
            customersByExternalId.put(c.tenantId() + "/" + c.externalId(), c);
        }
        if (before != null && before.externalId() != null && !before.externalId().equals(c.externalId())) {
            customersByExternalId.remove(before.tenantId() + "/" + before.externalId(), before);
        }
        AttributionIndex index = attributionByTenant.computeIfAbsent(c.tenantId(), t -> new AttributionIndex());
        synchronized (index) {
            index.put(c.customerId(), c.externalId(), c.aliases());
        }
    }

    /** The live (not revoked) key with this SHA-256, or {@code null}. */
    public CatalogRecordV1.ApiKey apiKey(String sha256) {
        return keysByHash.get(sha256);
    }

    /** The enabled admin user whose token has this SHA-256, or {@code null}. */
    public CatalogRecordV1.AdminUser adminUser(String sha256) {
        return adminUsersByHash.get(sha256);
    }

    /** A customer attributed to the event's source, and how; null when nothing identifies one. */
    public record Attributed(CatalogRecordV1.Customer customer, String via) {
    }

    public Attributed attribute(String tenantId, AttributionIndex.Source source) {
        AttributionIndex index = attributionByTenant.get(tenantId);
        if (index == null) {
            return null;
        }
        AttributionIndex.Match m;
        synchronized (index) {
            m = index.match(source);
        }
        return m == null ? null : new Attributed(customersById.get(tenantId + "/" + m.customerId()), m.via());
    }

    /** The customer's limit on the meter, or null if it has none. */
    public CatalogRecordV1.Limit limit(String tenantId, String customerId, String meterKey) {
        return limits.get(tenantId + "/" + customerId + "/" + meterKey);
    }

    /** A plan version (draft or published), or null if this view has not seen it. */
    public CatalogRecordV1.PlanVersion planVersion(String tenantId, String planKey, int version) {
        return planVersions.get(tenantId + "/" + planKey + "/" + version);
    }

    /** The customer's price overrides (ended ones too: each says when it was in force), none if it has none. */
    public List<PriceOverride> priceOverrides(String tenantId, String customerId) {
        Map<String, PriceOverride> m = overridesByCustomer.get(tenantId + "/" + customerId);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    /** The customer's subscriptions (past, current and future), none if it has none. */
    public Collection<Subscription> subscriptions(String tenantId, String customerId) {
        Map<String, Subscription> m = subscriptionsByCustomer.get(tenantId + "/" + customerId);
        return m == null ? List.of() : m.values();
    }

    /**
     * The billing period an instant of the customer's usage falls in: the period of the subscription
     * active then (cut to the subscription's start and end), else the calendar month (UTC).
     */
    public BillingPeriod periodOf(String tenantId, String customerId, Instant t) {
        return placementOf(tenantId, customerId, t).period();
    }

    /**
     * Where an instant of the customer's usage is billed: its period ({@link #periodOf}) and, when the plan changed
     * during that period before the instant, the start of its segment ({@link Subscription#segmentAt}; else null).
     */
    public record Placement(BillingPeriod period, Instant segmentStart) {
    }

    /** The period and segment an instant of the customer's usage falls in, as ingest stamps them on an accepted event. */
    public Placement placementOf(String tenantId, String customerId, Instant t) {
        for (Subscription s : subscriptions(tenantId, customerId)) {
            Optional<BillingPeriod> p = s.periodAt(t);
            if (p.isPresent()) {
                return new Placement(p.get(), s.segmentAt(t).orElse(null));
            }
        }
        return new Placement(BillingPeriod.calendarMonthOf(t), null);
    }

    /** The tenant's customer with this Tally id or, failing that, this external id; null if neither. */
    public CatalogRecordV1.Customer customer(String tenantId, String idOrExternalId) {
        CatalogRecordV1.Customer c = customersById.get(tenantId + "/" + idOrExternalId);
        if (c != null) {
            return c;
        }
        return customersByExternalId.get(tenantId + "/" + idOrExternalId);
    }

    /** The tenant's meters, compiled (filters parsed once per catalog change, not per event). */
    public List<MeterDefinition> definitions(String tenantId) {
        return definitionsByTenant.getOrDefault(tenantId, List.of());
    }

    /** Compiles meters; one this reader cannot understand (a newer producer's) is left out and logged, not fatal. */
    private static List<MeterDefinition> compile(Collection<CatalogRecordV1.Meter> meters) {
        List<MeterDefinition> out = new ArrayList<>(meters.size());
        for (CatalogRecordV1.Meter m : meters) {
            try {
                out.add(new MeterDefinition(m.meterKey(), m.eventType(), Aggregation.valueOf(m.aggregation()), m.property(),
                        FilterSpec.compile(m.filters()), m.groupBy(), m.percentile()));
            } catch (IllegalArgumentException e) {
                LOG.warnf("meter %s of tenant %s is not understood here and is ignored: %s", m.meterKey(), m.tenantId(), e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** Read-your-writes: how long a service waits for its view on an unknown key or customer ({@link ReadYourWrites}). */
    public static final Duration READ_YOUR_WRITES = ReadYourWrites.BOUND;

    /** True once the view has read the whole topic as it was when the view started. */
    public boolean loaded() {
        return loaded;
    }

    /**
     * Before a consumer judges a poll of records: a key, customer or meter created before a record was produced must be
     * known when it is read, so the view must have caught up (at most 10 s) — else the poll fails and is read again.
     */
    public void requireCaughtUp() {
        if (!awaitCaughtUp(Duration.ofSeconds(10))) {
            throw new IllegalStateException("catalog read model is behind");
        }
    }

    /**
     * Waits until this view has read everything published to the catalog before the call. Rating
     * calls it before each poll of events so that a meter created before an event was accepted is
     * known when the event is rated.
     */
    public boolean awaitCaughtUp(Duration timeout) {
        long end;
        try {
            end = endSince(System.nanoTime());
        } catch (KafkaException e) {
            // the topic's end cannot be read (its leader is away): not knowing is not "unknown" — a 503 the caller retries
            throw new ProblemException(503, "catalog-unreachable", "Service Unavailable", "the catalog cannot be checked now (Kafka did not "
                    + "answer); retry in a few seconds (nothing was stored)", null, null);
        }
        return awaitPosition(end, timeout);
    }

    private boolean probed;
    private long probeStarted; // System.nanoTime() when the last probe of the topic's end began
    private long probedEnd;

    /**
     * The topic's end as read by a probe that began at or after {@code since}: callers that queue while a probe runs share
     * the next one, so a flood of unknown keys (each waits here before its 401) costs one broker round trip per round,
     * not one each, and no caller waits for more than two.
     */
    private long endSince(long since) {
        synchronized (endProbe) {
            if (!probed || probeStarted - since < 0) {
                long start = System.nanoTime();
                probedEnd = endProbe.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
                probeStarted = start; // only a probe that answered counts
                probed = true;
            }
            return probedEnd;
        }
    }

    boolean awaitPosition(long target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (position < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
