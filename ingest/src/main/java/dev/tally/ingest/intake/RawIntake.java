package dev.tally.ingest.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.api.CloudEvents;
import dev.tally.ingest.api.EventsRequest;
import dev.tally.ingest.config.IngestConfig;
import dev.tally.ingest.store.EventStore;
import dev.tally.model.event.EventValidator;
import dev.tally.model.event.Rejection;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.DeadLetterV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PollLoop;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.StoredOffsets;
import dev.tally.platform.security.ApiKeys;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka door: {@link Topics#EVENTS_RAW}, one event per record, authenticated by the API key in
 * header {@link Headers#API_KEY}. Each event gets the same {@link Triage} as over HTTP; one Postgres
 * transaction per poll then holds the new dedup keys and outbox rows, the quarantined events, the
 * dead letters (for {@link Topics#EVENTS_DEAD}, through the outbox) and the consumed offsets, so a
 * crash anywhere repeats nothing and loses nothing. Duplicates are dropped (and counted).
 */
@ApplicationScoped
public class RawIntake implements ConsumerWorker {
    private static final String NAME = "ingest-raw-intake";
    private static final Set<String> SCOPES = Set.of("ingest", "admin");

    @Inject
    KafkaClients kafka;
    @Inject
    Clock clock;
    @Inject
    CatalogView catalog;
    @Inject
    Triage triage;
    @Inject
    EventStore store;
    @Inject
    ObjectMapper json;
    @Inject
    IngestConfig config;

    private final AtomicLong consumed = new AtomicLong();
    private PollLoop loop;

    @PostConstruct
    void init() {
        loop = new PollLoop(NAME, Topics.EVENTS_RAW, () -> kafka.consumer(config.rawIntake().group(), NAME), new StoredOffsets(store::intakeOffsets),
                this::apply);
    }

    @Override
    public boolean enabled() {
        return config.rawIntake().enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    /** Records consumed (applied) since start. */
    public long consumed() {
        return consumed.get();
    }

    /** One poll in one transaction: dedup keys and outbox rows, quarantine, dead letters and the next offsets. */
    private void apply(ConsumerRecords<String, String> polled) throws Exception {
        catalog.requireCaughtUp();
        Instant now = clock.instant();
        EventValidator validator = new EventValidator(config.maxFutureSkew(), config.dedupWindow());
        Map<String, EventStore.TenantShare> byTenant = new LinkedHashMap<>();
        Map<String, Set<String>> seen = new HashMap<>();
        List<EventStore.DeadLetter> dead = new ArrayList<>();
        Map<TopicPartition, Long> next = new HashMap<>();
        int index = 0;
        for (ConsumerRecord<String, String> r : polled) {
            next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            String key = RecordHeaders.string(r, Headers.API_KEY);
            CatalogRecordV1.ApiKey apiKey = key == null ? null : catalog.apiKey(ApiKeys.sha256(key));
            if (apiKey == null || !SCOPES.contains(apiKey.scope())) {
                dead.add(deadLetter(r, null, new Rejection("unauthorized", Headers.API_KEY,
                        key == null ? "no API key in header " + Headers.API_KEY : "unknown, revoked or non-ingest API key"), now));
                continue;
            }
            CloudEvents.Mapped read = read(r);
            EventsRequest.EventBody body = read == null ? null : read.event();
            if (body == null) {
                dead.add(deadLetter(r, apiKey, new Rejection("malformed_json", "value", "the record value is not one event JSON object ("
                        + "Tally's, or a CloudEvent: structured with header content-type: " + CloudEvents.STRUCTURED + ", or binary with ce_*"
                        + " headers and the data as the value)"), now));
                continue;
            }
            if (read.problem() != null) {
                dead.add(deadLetter(r, apiKey, read.problem(), now));
                continue;
            }
            EventStore.TenantShare share = byTenant.computeIfAbsent(apiKey.tenantId(),
                    t -> new EventStore.TenantShare(new ArrayList<>(), new ArrayList<>()));
            Triage.Verdict verdict = triage.triage(apiKey.tenantId(), apiKey.keyId(), body, validator, now);
            if (verdict instanceof Triage.Reject reject) {
                dead.add(deadLetter(r, apiKey, reject.rejection(), now));
            } else if (!seen.computeIfAbsent(apiKey.tenantId(), t -> new HashSet<>()).add(body.id())) {
                continue; // a duplicate inside this poll
            } else if (verdict instanceof Triage.Quarantine q) {
                share.unattributed().add(new EventStore.Unattributed(q.event(), q.reason(), apiKey.keyId()));
            } else if (verdict instanceof Triage.Admit a) {
                share.candidates().add(new EventStore.Candidate(index++, a.event(), a.customerId(), a.attributedBy()));
            }
        }
        store.acceptPoll(byTenant, dead, StoredOffsets.firstOffsets(polled), next, now);
        consumed.addAndGet(polled.count());
    }

    /**
     * The record's event: a CloudEvent in the Kafka binding's binary mode (attributes in {@code ce_*} headers, the data as
     * the value) or structured mode ({@code content-type: application/cloudevents+json}), else Tally's own event JSON;
     * null when the value cannot be read.
     */
    private CloudEvents.Mapped read(ConsumerRecord<String, String> r) {
        try {
            String contentType = RecordHeaders.string(r, "content-type");
            if (RecordHeaders.string(r, "ce_specversion") != null) {
                JsonNode data = r.value() == null || r.value().isBlank() ? null : json.readTree(r.value());
                return CloudEvents.map(CloudEvents.binary(name -> RecordHeaders.string(r, "ce_" + name), contentType, data));
            }
            if (r.value() == null) {
                return null;
            }
            if (contentType != null && contentType.startsWith(CloudEvents.STRUCTURED)) {
                return CloudEvents.map(json.readValue(r.value(), CloudEvents.CloudEvent.class));
            }
            return new CloudEvents.Mapped(json.readValue(r.value(), EventsRequest.EventBody.class), null);
        } catch (Exception e) {
            return null;
        }
    }

    private EventStore.DeadLetter deadLetter(ConsumerRecord<String, String> r, CatalogRecordV1.ApiKey key, Rejection why, Instant now) {
        DeadLetterV1 d = new DeadLetterV1(why.code(), why.field(), why.message(), r.topic(), r.partition(), r.offset(),
                key == null ? null : key.keyId(), key == null ? null : key.tenantId(), r.value(), now);
        return new EventStore.DeadLetter(r.key() == null ? r.topic() + "/" + r.partition() : r.key(), d);
    }
}
