package dev.tally.invoicing.reconcile;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.model.metering.Recount;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        ObjectMapper lenient = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
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
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the replay of " + Topics.EVENTS_ACCEPTED + " did not reach its end within " + timeout);
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())) || r.key() == null || !keys.test(r.key())) {
                        continue;
                    }
                    int slash = r.key().indexOf('/');
                    String tenant = slash < 0 ? r.key() : r.key().substring(0, slash);
                    Recount recount = tenants == null ? out.computeIfAbsent(tenant, t -> new Recount()) : out.get(tenant);
                    if (recount == null) {
                        continue; // another tenant's record: not even parsed
                    }
                    String schema = RecordHeaders.string(r, Headers.SCHEMA);
                    try {
                        if (EventCorrectionV1.SCHEMA.equals(schema)) {
                            recount.correction(lenient.readValue(r.value(), EventCorrectionV1.class));
                        } else if (AcceptedEventV1.SCHEMA.equals(schema) || schema == null) {
                            recount.accepted(lenient.readValue(r.value(), AcceptedEventV1.class));
                        }
                    } catch (JacksonException e) {
                        recount.unreadable();
                    }
                }
            }
        }
        return out;
    }
}
