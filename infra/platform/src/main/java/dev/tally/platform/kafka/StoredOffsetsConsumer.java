package dev.tally.platform.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link ConsumerWorker} whose positions live in Postgres ({@link StoredOffsets}), not in Kafka's
 * committed offsets: on every assignment, and after any failed poll, it seeks to what the last
 * committed transaction recorded (the beginning for partitions never consumed). So a crash, restart
 * or rebalance anywhere repeats nothing and loses nothing, provided {@link #process} stores the next
 * offsets in the transaction that applies the records.
 */
public abstract class StoredOffsetsConsumer extends ConsumerWorker {
    /** The topic, the group, and a consumer from {@link KafkaClients#consumer}. */
    protected abstract String topic();

    protected abstract KafkaConsumer<String, String> newConsumer();

    /** The stored next offsets of these partitions (absent: never consumed). */
    protected abstract Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) throws Exception;

    @Override
    protected KafkaConsumer<String, String> open() {
        KafkaConsumer<String, String> c = newConsumer();
        c.subscribe(List.of(topic()), new ConsumerRebalanceListener() {
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

    private void seekToStored(KafkaConsumer<String, String> c, Collection<TopicPartition> partitions) {
        try {
            Map<TopicPartition, Long> stored = storedOffsets(partitions);
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
