package dev.tally.platform.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * Where a {@link PollLoop}'s durable position lives: Kafka's committed offsets ({@link CommittedOffsets}, for
 * idempotent writes) or the service's own Postgres table, written with the effects ({@link StoredOffsets}, exactly
 * once).
 */
public sealed interface Offsets permits CommittedOffsets, StoredOffsets {
    /** Subscribes a new consumer to the topic (with whatever rebalance listener the position needs). */
    void subscribe(Consumer<String, String> consumer, String topic);

    /** Moves the consumer back to the last durable position after a failed poll. */
    void rewind(Consumer<String, String> consumer);

    /** Makes a handled poll's position durable, after the handler returned (and its transaction committed). */
    void handled(Consumer<String, String> consumer);
}
