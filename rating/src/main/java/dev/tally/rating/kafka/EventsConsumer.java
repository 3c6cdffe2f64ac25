package dev.tally.rating.kafka;

import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PollLoop;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.StoredOffsets;
import dev.tally.platform.tracing.TraceContext;
import dev.tally.rating.config.RatingConfig;
import dev.tally.rating.store.RatingStore;
import dev.tally.rating.store.UsageCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Consumes {@link Topics#EVENTS_ACCEPTED}. Positions come from Postgres ({@code consumer_offset},
 * stored with the aggregates of each poll), never from Kafka's committed offsets — see
 * {@link StoredOffsets}.
 */
@ApplicationScoped
public class EventsConsumer implements ConsumerWorker {
    private static final String NAME = "rating-events";

    @Inject
    KafkaClients kafka;
    @Inject
    Clock clock;
    @Inject
    CatalogView catalog;
    @Inject
    RatingStore store;
    @Inject
    Tracer tracer;
    @Inject
    UsageCache usage;
    @Inject
    RatingConfig config;

    @Inject
    MeterRegistry registry;

    private final AtomicLong applied = new AtomicLong();
    private Counter rated;
    private Timer freshness;
    private PollLoop loop;

    @PostConstruct
    void init() {
        rated = Counter.builder("tally.rating.events.rated").description("accepted events rated (a retraction or amendment counts as its event)")
                .register(registry);
        freshness = Timer.builder("tally.rating.freshness").description("from ingest accepting an event to rating committing it: how fresh usage is")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        loop = new PollLoop(NAME, Topics.EVENTS_ACCEPTED, () -> kafka.consumer(config.rating().consumer().group(), NAME), new StoredOffsets(store::offsets), this::apply);
    }

    @Override
    public boolean enabled() {
        return config.rating().consumer().enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    /** Records applied since start. */
    public long applied() {
        return applied.get();
    }

    /** Rates one poll in one Postgres transaction, which also stores the next offsets. */
    private void apply(ConsumerRecords<String, String> polled) throws Exception {
        catalog.requireCaughtUp();
        List<ConsumerRecord<String, String>> records = new ArrayList<>(polled.count());
        polled.forEach(records::add);
        Map<String, Span> spans = new HashMap<>();
        Map<String, String> childContexts = new HashMap<>();
        try {
            RatingStore.Applied result = store.apply(records, r -> {
                String parent = RecordHeaders.string(r, Headers.TRACEPARENT);
                return childContexts.computeIfAbsent(parent == null ? "" : parent, k -> {
                    Span span = TraceContext.consumerSpan(tracer, "rate " + Topics.EVENTS_ACCEPTED, k);
                    spans.put(k, span);
                    return TraceContext.of(Context.root().with(span));
                });
            });
            applied.addAndGet(result.applied());
            usage.update(result.totals());
            rated.increment(result.applied());
            long now = clock.millis();
            for (Instant at : result.acceptedAt()) {
                freshness.record(Math.max(0, now - at.toEpochMilli()), TimeUnit.MILLISECONDS);
            }
        } finally {
            spans.values().forEach(Span::end);
        }
    }
}
