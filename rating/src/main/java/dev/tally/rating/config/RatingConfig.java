package dev.tally.rating.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the rating service, in one place (the platform's Kafka, outbox and catalog settings are the
 * platform's). The schedules ({@code …-every}) are read by their {@code @Scheduled} expressions.
 */
@ConfigMapping(prefix = "tally")
public interface RatingConfig {
    Rating rating();

    Api api();

    Portal portal();

    interface Rating {
        Consumer consumer();

        /** How long applied-batch positions are kept: longer than an outbox row can wait to be re-published. */
        @WithDefault("P14D")
        Duration appliedBatchRetention();

        @WithDefault("10m")
        String appliedBatchExpiryEvery();

        /** The consumer of {@code tally.events.accepted}. */
        interface Consumer {
            @WithDefault("true")
            boolean enabled();

            @WithDefault("tally-rating")
            String group();
        }
    }

    /** The usage, spend and entitlement APIs. */
    interface Api {
        RateLimit rateLimit();

        /** Per API key and instance: a token bucket. */
        interface RateLimit {
            @WithDefault("1000")
            double requestsPerSecond();

            @WithDefault("2000")
            double burst();
        }
    }

    /** Customer portal sessions: the secret invoicing signs them with; absent, every portal token is refused. */
    interface Portal {
        Optional<String> secret();
    }
}
