package dev.tally.platform.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Records a consumer cannot read or apply, set aside in the service's {@code rejected_record} table
 * (topic, partition, offset, reason, up to 64 KiB of the value) in the caller's transaction — the one
 * that moves past them — and logged with their position (never their value). One bad record neither
 * stalls its partition nor disappears silently.
 */
public final class RejectedRecords {
    private static final Logger LOG = Logger.getLogger(RejectedRecords.class);
    static final int MAX_VALUE = 65_536;
    static final int MAX_REASON = 1_000;

    private RejectedRecords() {
    }

    /** A record and why it was set aside. */
    public record Rejected(ConsumerRecord<String, String> record, String reason) {
    }

    public static void insert(Connection c, Iterable<Rejected> rejected) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into rejected_record (topic, kafka_partition, kafka_offset, reason, record_value) values (?, ?, ?, ?, ?)
                on conflict do nothing""")) {
            int n = 0;
            for (Rejected x : rejected) {
                ConsumerRecord<String, String> r = x.record();
                String reason = x.reason() == null ? "unreadable" : x.reason();
                LOG.warnf("record %s-%d@%d set aside: %s (see rejected_record)", r.topic(), r.partition(), r.offset(), reason);
                ps.setString(1, r.topic());
                ps.setInt(2, r.partition());
                ps.setLong(3, r.offset());
                ps.setString(4, reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
                String v = r.value();
                ps.setString(5, v == null ? null : v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : v);
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
    }
}
