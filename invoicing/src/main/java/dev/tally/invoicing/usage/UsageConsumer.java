package dev.tally.invoicing.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Consumes {@link Topics#USAGE_RATED}. Snapshots are idempotent (highest version wins), so Kafka's
 * own offsets are enough here: commit after the Postgres commit; a crash in between re-delivers
 * snapshots that change nothing.
 */
@ApplicationScoped
public class UsageConsumer {
    private static final Logger LOG = Logger.getLogger(UsageConsumer.class);

    @Inject
    KafkaClients kafka;
    @Inject
    UsageSnapshots snapshots;
    @Inject
    ObjectMapper json;
    @Inject
    Tracer tracer;
    @ConfigProperty(name = "tally.invoicing.consumer.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "tally.invoicing.consumer.group", defaultValue = "tally-invoicing")
    String group;

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    void onStart(@Observes StartupEvent e) {
        if (!enabled) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("invoicing-usage").start(this::loop);
    }

    void onStop(@Observes ShutdownEvent e) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Back to the last committed offsets, so the failed poll is read again. */
    private static void rewind(KafkaConsumer<String, String> c) {
        var committed = c.committed(c.assignment());
        for (var tp : c.assignment()) {
            var offset = committed.get(tp);
            if (offset == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, offset.offset());
            }
        }
    }

    private void loop() {
        try (KafkaConsumer<String, String> c = kafka.consumer(group, "invoicing-usage")) {
            consumer = c;
            c.subscribe(List.of(Topics.USAGE_RATED));
            while (running) {
                ConsumerRecords<String, String> polled = c.poll(Duration.ofMillis(200));
                if (polled.isEmpty()) {
                    continue;
                }
                List<RatedUsageV1> batch = new ArrayList<>(polled.count());
                List<Span> spans = new ArrayList<>();
                try {
                    for (ConsumerRecord<String, String> r : polled) {
                        spans.add(TraceContext.consumerSpan(tracer, "invoice " + Topics.USAGE_RATED,
                                RecordHeaders.string(r, Headers.TRACEPARENT)));
                        batch.add(json.readValue(r.value(), RatedUsageV1.class));
                    }
                    snapshots.store(batch);
                    c.commitSync();
                } catch (Exception e) {
                    LOG.warnf("storing usage snapshots failed, will re-read them: %s", e.toString());
                    rewind(c);
                    Thread.sleep(1000);
                } finally {
                    spans.forEach(Span::end);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("usage consumer stopped", e);
        } finally {
            consumer = null;
        }
    }
}
