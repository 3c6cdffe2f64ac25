package dev.tally.platform.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Record keys that land on a chosen partition under Kafka's default partitioner
 * ({@code murmur2(key) % partitions}), for messages that must reach every partition of a topic through
 * an outbox (which carries keys, not partition numbers).
 */
public final class PartitionKeys {
    private PartitionKeys() {
    }

    /** The partition the default partitioner picks for {@code key}. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** For each partition {@code p} in [0, partitions), a key {@code prefix + n} that lands on {@code p}. */
    public static String[] covering(String prefix, int partitions) {
        String[] keys = new String[partitions];
        int found = 0;
        for (int n = 0; found < partitions; n++) {
            String key = prefix + n;
            int p = partitionOf(key, partitions);
            if (keys[p] == null) {
                keys[p] = key;
                found++;
            }
        }
        return keys;
    }
}
