package dev.tally.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The platform's own settings ({@code tally.kafka.*}, {@code tally.outbox.*}, {@code tally.catalog.*}), shared by every
 * service: one mapping beside each service's own. Kafka's connection settings ({@code kafka.*}) and Quarkus's keep
 * their own names and are read where they are used.
 */
@ConfigMapping(prefix = "tally")
public interface PlatformConfig {
    Kafka kafka();

    Outbox outbox();

    Catalog catalog();

    /** Client tuning for every Kafka consumer and producer the services open. */
    interface Kafka {
        @WithDefault("2000")
        int maxPollRecords();

        /** How long a silent group member keeps its partitions: a crashed rating instance's work moves after this. */
        @WithDefault("10000")
        int sessionTimeoutMs();

        /**
         * How old a client's view of the cluster may get: partitions added to a topic are seen (by producers, and by a
         * consumer group, which then rebalances onto them) within this. Kafka's default is 5 minutes.
         */
        @WithDefault("30000")
        int metadataMaxAgeMs();

        Producer producer();

        interface Producer {
            /** Producer batch per partition: big enough that a relayed outbox row of 1,000 events goes in a few requests. */
            @WithDefault("262144")
            int batchSize();
        }
    }

    /** The outbox relay and its cleanup. */
    interface Outbox {
        Relay relay();

        /** How long relayed rows are kept (ingest: the correction window). */
        @WithDefault("PT1H")
        Duration retention();

        /** How often relayed rows past their retention are deleted (read by the {@code @Scheduled} expression). */
        @WithDefault("1m")
        String cleanupEvery();

        interface Relay {
            @WithDefault("true")
            boolean enabled();

            @WithDefault("200")
            int batchRows();

            /** How long the relay waits when the outbox is empty. */
            @WithDefault("PT0.02S")
            Duration idleWait();

            /**
             * Fault tests only: how long the relay waits between Kafka's acknowledgment of a batch and marking its rows
             * published — the window a SIGKILL test aims at (a kill there re-publishes the batch). Zero everywhere else.
             */
            @WithDefault("PT0S")
            Duration pauseBeforeMark();
        }
    }

    /** The catalog read model (built in only where {@code tally.catalog.view=true} at build time). */
    interface Catalog {
        @WithDefault("false")
        boolean view();
    }
}
