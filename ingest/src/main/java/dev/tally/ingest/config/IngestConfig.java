package dev.tally.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "tally.ingest")
public interface IngestConfig {
    /** Most events accepted in one request. */
    @WithDefault("1000")
    int maxBatch();

    /** Largest request body, after gzip decoding. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** How long event ids are remembered; events whose time is older are rejected as too_late. */
    @WithDefault("P35D")
    Duration dedupWindow();

    /** How far ahead of the server clock an event's timestamp may be. */
    @WithDefault("PT5M")
    Duration maxFutureSkew();

    /** Per API key and ingest instance. */
    RateLimit rateLimit();

    /** The Kafka door, {@code tally.events.raw}. */
    RawIntake rawIntake();

    /**
     * How far behind its write time an acceptance marker's bound lies: longer than any accept
     * transaction can run (the 60 s transaction timeout) plus clock skew between ingest instances.
     */
    @WithDefault("PT2M")
    Duration watermarkLag();


    /**
     * How often acceptance markers are written. Read by AcceptanceMarkers' {@code @Scheduled} expression;
     * declared here so the mapping knows the property (SmallRye refuses unknown keys under tally.ingest).
     */
    @WithDefault("1s")
    String watermarkEvery();

    /** How often expired dedup keys are deleted; read by KeyExpiry's {@code @Scheduled} expression (as above). */
    @WithDefault("10m")
    String keyExpiryEvery();

    interface RawIntake {
        @WithDefault("true")
        boolean enabled();

        /** Consumer group (positions live in Postgres; the group only shares out partitions). */
        @WithDefault("tally-ingest-raw")
        String group();
    }

    interface RateLimit {
        /** Steady requests per second; 0 turns the limit off. */
        @WithDefault("500")
        double requestsPerSecond();

        /** Requests that may come at once after a quiet spell. */
        @WithDefault("1000")
        double burst();

        /** Writes one key may have in flight at once on this instance (stalled uploads included); 0 turns it off. */
        @WithDefault("64")
        int maxInFlight();
    }
}
