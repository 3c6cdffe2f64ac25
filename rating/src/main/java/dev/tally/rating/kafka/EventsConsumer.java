package dev.tally.rating.kafka;

import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.tracing.TraceContext;
import dev.tally.rating.store.RatingStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Consumes {@link Topics#EVENTS_ACCEPTED}. Positions come from Postgres ({@code consumer_offset}),
 * not from Kafka's committed offsets: on assignment, and after any failed poll, the consumer seeks
 * to what the last committed transaction recorded, so a crash anywhere repeats nothing and loses
 * nothing.
 */
@ApplicationScoped
public class EventsConsumer extends ConsumerWorker {
    @Inject
    KafkaClients kafka;
    @Inject
    CatalogView catalog;
    @Inject
    RatingStore store;
    @Inject
    Tracer tracer;
    @ConfigProperty(name = "tally.rating.consumer.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "tally.rating.consumer.group", defaultValue = "tally-rating")
    String group;

    private final AtomicLong applied = new AtomicLong();

    void onStart(@Observes StartupEvent e) {
        if (enabled) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        stop();
    }

    /** Records applied since start. */
    public long applied() {
        return applied.get();
    }

    @Override
    protected String name() {
        return "rating-events";
    }

    @Override
    protected KafkaConsumer<String, String> open() {
        KafkaConsumer<String, String> c = kafka.consumer(group, name());
        c.subscribe(List.of(Topics.EVENTS_ACCEPTED), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // nothing buffered: every applied poll is already committed in Postgres
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekToStored(c, partitions);
            }
        });
        return c;
    }

    @Override
    protected void rewind(KafkaConsumer<String, String> c) {
        seekToStored(c, c.assignment());
    }

    @Override
    protected void process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> polled) throws Exception {
        // a meter created before an event was accepted must be known before the event is rated
        if (!catalog.awaitCaughtUp(Duration.ofSeconds(10))) {
            throw new IllegalStateException("catalog read model is behind");
        }
        List<ConsumerRecord<String, String>> records = new ArrayList<>(polled.count());
        polled.forEach(records::add);
        Map<String, Span> spans = new HashMap<>();
        Map<String, String> childContexts = new HashMap<>();
        try {
            RatingStore.Applied result = store.apply(records, catalog::meters, r -> {
                String parent = RecordHeaders.string(r, Headers.TRACEPARENT);
                return childContexts.computeIfAbsent(parent == null ? "" : parent, k -> {
                    Span span = TraceContext.consumerSpan(tracer, "rate " + Topics.EVENTS_ACCEPTED, k);
                    spans.put(k, span);
                    return TraceContext.of(Context.root().with(span));
                });
            });
            applied.addAndGet(result.applied());
        } finally {
            spans.values().forEach(Span::end);
        }
    }

    private void seekToStored(KafkaConsumer<String, String> c, Collection<TopicPartition> partitions) {
        try {
            Map<TopicPartition, Long> stored = store.offsets(partitions);
            List<TopicPartition> fresh = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Long next = stored.get(tp);
                if (next == null) {
                    fresh.add(tp);
                } else {
                    c.seek(tp, next);
                }
            }
            if (!fresh.isEmpty()) {
                c.seekToBeginning(fresh);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read stored offsets", e);
        }
    }
}
