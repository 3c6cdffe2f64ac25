package dev.tally.platform.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reads Tally's record headers ({@link dev.tally.model.messages.Headers}). */
public final class RecordHeaders {
    private RecordHeaders() {
    }

    public static String string(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static long number(ConsumerRecord<?, ?> record, String name) {
        String v = string(record, name);
        if (v == null) {
            throw new IllegalArgumentException("record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " has no " + name + " header");
        }
        return Long.parseLong(v);
    }
}
