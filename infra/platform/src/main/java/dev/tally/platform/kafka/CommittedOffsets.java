package dev.tally.platform.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The position is Kafka's committed offset, for consumers whose writes are idempotent (invoicing's snapshots and
 * alerts): committed after the handler's Postgres commit; a crash in between re-reads records that change nothing.
 * After a failed poll the consumer seeks back to the committed offsets (the beginning where nothing is committed yet).
 */
public final class CommittedOffsets implements Offsets {
    @Override
    public void subscribe(Consumer<String, String> c, String topic) {
        c.subscribe(List.of(topic));
    }

    @Override
    public void rewind(Consumer<String, String> c) {
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

    @Override
    public void handled(Consumer<String, String> c) {
        c.commitSync();
    }
}
