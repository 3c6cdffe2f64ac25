package dev.tally.platform.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A {@link ConsumerWorker} whose durable position is Kafka's committed offset, for consumers whose
 * writes are idempotent (invoicing's snapshots and alerts): commit after the Postgres commit; a crash
 * in between re-reads records that change nothing. After a failed poll it seeks back to the committed
 * offsets (the beginning where nothing is committed yet).
 */
public abstract class CommittedOffsetsConsumer extends ConsumerWorker {
    @Override
    protected void rewind(KafkaConsumer<String, String> c) {
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
}
