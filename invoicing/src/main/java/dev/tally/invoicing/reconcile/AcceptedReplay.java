package dev.tally.invoicing.reconcile;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.Recount;
import dev.tally.platform.json.AcceptedEventReader;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code tally.events.accepted} from its beginning to its end as of the start of the read (no consumer
 * group, nothing committed) and folds the records of the wanted tenants into one {@link Recount} each. What the
 * topic's retention has already dropped cannot be recounted: reconciliation covers the periods the topic still
 * holds whole.
 */
@ApplicationScoped
public class AcceptedReplay {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    private volatile ObjectMapper lenient;
    private volatile AcceptedEventReader reader;

    /**
     * How long before a period's start its first event can have been published: ingest accepts events up to 5
     * minutes ahead of its clock, and the relay publishes after acceptance; an hour leaves room for clock skew.
     */
    static final Duration BEFORE_PERIOD = Duration.ofHours(1);

    /** The recount of one customer's records only (others are skipped by their key, unparsed), from {@code periodStart} on. */
    public Recount replayCustomer(String tenantId, String customerId, Instant periodStart, Duration timeout) throws Exception {
        String key = tenantId + "/" + customerId;
        return replay(Set.of(tenantId), k -> k.equals(key), periodStart, timeout).get(tenantId);
    }

    /**
     * Recounts per tenant; {@code tenants} null: every tenant on the topic. {@code periodStart} not null: only records
     * published from an hour before it are read (events of that period and later cannot have been published earlier).
     */
    public Map<String, Recount> replay(Set<String> tenants, Instant periodStart, Duration timeout) throws Exception {
        return replay(tenants, k -> true, periodStart, timeout);
    }

    private Map<String, Recount> replay(Set<String> tenants, Predicate<String> keys, Instant periodStart,
            Duration timeout) throws Exception {
        Map<String, Recount> out = new HashMap<>();
        if (tenants != null) {
            tenants.forEach(t -> out.put(t, new Recount()));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = kafka.consumer(null, "reconcile")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS_ACCEPTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            if (periodStart != null) {
                long from = periodStart.minus(BEFORE_PERIOD).toEpochMilli();
                Map<TopicPartition, Long> times = new HashMap<>();
                parts.forEach(p -> times.put(p, from));
                c.offsetsForTimes(times).forEach((p, o) -> {
                    if (o != null) {
                        c.seek(p, o.offset());
                    } else {
                        c.seekToEnd(List.of(p)); // nothing published since then on this partition
                    }
                });
            }
            drain(c, parts, keys, tenant -> tenants == null ? out.computeIfAbsent(tenant, t -> new Recount()) : out.get(tenant), deadline);
        }
        return out;
    }

    /**
     * Folds into {@code into} the records of {@code tenantId} from each partition's offset in {@code from} (the beginning
     * for a partition it does not name) to the topic's end as of now: the tail the event archive does not hold yet.
     * Returns how many of the tenant's records it read.
     */
    public long replayFrom(String tenantId, Map<TopicPartition, Long> from, Recount into, Duration timeout) throws Exception {
        String prefix = tenantId + "/";
        return replayFrom(tenantId, k -> k.startsWith(prefix), from, into, timeout);
    }

    /** As {@link #replayFrom(String, Map, Recount, Duration)}, for one customer's records only. */
    public long replayCustomerFrom(String tenantId, String customerId, Map<TopicPartition, Long> from, Recount into, Duration timeout)
            throws Exception {
        String key = tenantId + "/" + customerId;
        return replayFrom(tenantId, key::equals, from, into, timeout);
    }

    private long replayFrom(String tenantId, Predicate<String> keys, Map<TopicPartition, Long> from, Recount into, Duration timeout)
            throws Exception {
        long before = into.read() + into.unreadableRecords();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = kafka.consumer(null, "reconcile-tail")) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS_ACCEPTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            for (TopicPartition p : parts) {
                Long offset = from.get(p);
                if (offset != null) {
                    c.seek(p, offset);
                }
            }
            drain(c, parts, keys, tenant -> tenant.equals(tenantId) ? into : null, deadline);
        }
        return into.read() + into.unreadableRecords() - before;
    }

    /** Folds one record, by its schema header (null: an event from before headers), into {@code recount}. */
    public void fold(Recount recount, String schema, String value) {
        try {
            if (EventCorrectionV1.SCHEMA.equals(schema)) {
                recount.correction(lenient().readValue(value, EventCorrectionV1.class));
            } else if (AcceptedEventV1.SCHEMA.equals(schema) || schema == null) {
                recount.accepted(lenient().readValue(value, AcceptedEventV1.class));
            }
        } catch (JacksonException e) {
            recount.unreadable();
        }
    }

    /**
     * An accepted event's JSON as published (or a correction's {@code current}): by the platform's streaming
     * {@link AcceptedEventReader} (what rating reads with), falling back to the lenient mapper as {@link #fold} reads.
     */
    public AcceptedEventV1 accepted(String json) throws IOException {
        AcceptedEventReader r = reader;
        if (r == null) {
            r = new AcceptedEventReader(lenient());
            reader = r;
        }
        return r.read(json);
    }

    private ObjectMapper lenient() {
        ObjectMapper m = lenient;
        if (m == null) {
            m = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            lenient = m;
        }
        return m;
    }

    /** Reads every partition from its position to its end as of now, folding the wanted keys' records into their tenant's recount. */
    private void drain(KafkaConsumer<String, String> c, List<TopicPartition> parts, Predicate<String> keys, Function<String, Recount> recountOf,
            long deadline) {
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replay of " + Topics.EVENTS_ACCEPTED + " did not reach its end in time");
            }
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())) || r.key() == null || !keys.test(r.key())) {
                    continue;
                }
                int slash = r.key().indexOf('/');
                Recount recount = recountOf.apply(slash < 0 ? r.key() : r.key().substring(0, slash));
                if (recount != null) { // another tenant's record is not even parsed
                    fold(recount, RecordHeaders.string(r, Headers.SCHEMA), r.value());
                }
            }
        }
    }
}
