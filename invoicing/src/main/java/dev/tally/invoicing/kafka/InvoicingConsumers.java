package dev.tally.invoicing.kafka;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.platform.kafka.CommittedOffsets;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.kafka.PollHandler;
import dev.tally.platform.kafka.PollLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What invoicing's consumers share: each reads one topic in its own group, on Kafka's committed offsets (what it
 * stores is idempotent: commit after the Postgres commit; a crash in between re-reads records that change nothing),
 * and is started with the service unless {@code tally.invoicing.consumer.enabled} is false.
 */
@ApplicationScoped
public class InvoicingConsumers {
    @Inject
    KafkaClients kafka;
    @Inject
    InvoicingConfig config;

    /** A loop named {@code name} (its thread and client id) that hands each poll of {@code topic} to {@code handler}. */
    public PollLoop loop(String name, String topic, String group, PollHandler handler) {
        return new PollLoop(name, topic, () -> kafka.consumer(group, name), new CommittedOffsets(), handler);
    }

    /** Whether the consumers start with the service. */
    public boolean enabled() {
        return config.invoicing().consumer().enabled();
    }
}
