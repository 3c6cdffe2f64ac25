package dev.tally.invoicing.kafka;

import dev.tally.platform.kafka.CommittedOffsetsConsumer;
import dev.tally.platform.kafka.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * An invoicing consumer of one topic in its own group, on Kafka's committed offsets (what it stores is idempotent:
 * commit after the Postgres commit; a crash in between re-reads records that change nothing). Started with the
 * service unless {@code tally.invoicing.consumer.enabled} is false; subclasses only process polls.
 */
public abstract class InvoicingConsumer extends CommittedOffsetsConsumer {
    @Inject
    protected KafkaClients kafka;
    @ConfigProperty(name = "tally.invoicing.consumer.enabled", defaultValue = "true")
    boolean enabled;

    protected void onStart(@Observes StartupEvent e) {
        if (enabled) {
            start();
        }
    }

    protected void onStop(@Observes ShutdownEvent e) {
        stop();
    }

    /** The topic consumed. */
    protected abstract String topic();

    /** The consumer group. */
    protected abstract String group();

    @Override
    protected KafkaConsumer<String, String> open() {
        KafkaConsumer<String, String> c = kafka.consumer(group(), name());
        c.subscribe(List.of(topic()));
        return c;
    }
}
