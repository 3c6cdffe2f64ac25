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

    /** A header of decimal digits as a number, read from its bytes (rating reads two per record). */
    public static long number(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        if (h == null || h.value() == null) {
            throw new IllegalArgumentException("record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " has no " + name + " header");
        }
        byte[] b = h.value();
        if (b.length == 0 || b.length > 18) {
            return Long.parseLong(new String(b, StandardCharsets.UTF_8)); // what Long.parseLong says about it
        }
        long v = 0;
        for (byte c : b) {
            if (c < '0' || c > '9') {
                return Long.parseLong(new String(b, StandardCharsets.UTF_8));
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Whether the header holds exactly {@code value} (ASCII), without making a string of it. */
    public static boolean is(ConsumerRecord<?, ?> record, String name, String value) {
        Header h = record.headers().lastHeader(name);
        byte[] b = h == null ? null : h.value();
        if (b == null || b.length != value.length()) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i] != value.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
