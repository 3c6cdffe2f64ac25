package dev.tally.invoicing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the invoicing service, in one place (the platform's Kafka and outbox settings are the platform's).
 * application.properties sets each from an environment variable where an operator may change it; the Helm chart's
 * values name the same variables. The schedules ({@code …-every}) are read by their {@code @Scheduled} expressions.
 */
@ConfigMapping(prefix = "tally")
public interface InvoicingConfig {
    Invoicing invoicing();

    Webhooks webhooks();

    Stripe stripe();

    Payments payments();

    Credits credits();

    Purchases purchases();

    Progressive progressive();

    Api api();

    Admin admin();

    Portal portal();

    Secrets secrets();

    Archive archive();

    Warehouse warehouse();

    S3 s3();

    /** The invoicing core. */
    interface Invoicing {
        Consumer consumer();

        /** How often ended periods are closed ({@code off} in tests). */
        @WithDefault("10s")
        String closeEvery();

        /** How often recently closed periods are reconciled ({@code off} in tests). */
        @WithDefault("6h")
        String reconcileEvery();

        /** Whether the scheduled reconciliation credits the overcharges it finds (the rule "reconciliation found an overcharge"). */
        @WithDefault("false")
        boolean reconcileCreditOvercharges();

        /** The Kafka consumers of rating's snapshots, watermarks and alerts. */
        interface Consumer {
            @WithDefault("true")
            boolean enabled();

            /** The consumer group (usage snapshots; the other feeds derive theirs from it). */
            @WithDefault("tally-invoicing")
            String group();
        }
    }

    /** Outgoing webhooks. */
    interface Webhooks {
        /** Whether endpoints may be plain http (local runs and tests only). */
        @WithDefault("false")
        boolean allowHttp();

        /** Whether endpoints may resolve to loopback, private or link-local addresses (local runs and tests only). */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /** How long one delivery may take. */
        @WithDefault("PT10S")
        Duration timeout();

        @WithDefault("1s")
        String dispatchEvery();
    }

    /** Stripe, the payment provider adapter. */
    interface Stripe {
        @WithDefault("https://api.stripe.com")
        URI apiBase();

        @WithDefault("PT20S")
        Duration timeout();
    }

    /** The provider jobs (push, refund, sync) after commit. */
    interface Payments {
        @WithDefault("2s")
        String dispatchEvery();
    }

    /** Prepaid credit. */
    interface Credits {
        @WithDefault("1h")
        String lapseEvery();
    }

    /** Purchased credit: how often due instalments are invoiced. */
    interface Purchases {
        @WithDefault("1m")
        String issueEvery();
    }

    /** Progressive (threshold) billing: how often customers' thresholds are checked. */
    interface Progressive {
        @WithDefault("30s")
        String checkEvery();
    }

    /** The REST API. */
    interface Api {
        RateLimit rateLimit();

        /** Per API key and instance: a token bucket. */
        interface RateLimit {
            @WithDefault("100")
            double requestsPerSecond();

            @WithDefault("200")
            double burst();
        }
    }

    /** The bootstrap operator. */
    interface Admin {
        /** The bootstrap operator token (never logged). */
        String token();
    }

    /** Customer portal sessions (see docs/portal.md). */
    interface Portal {
        /** The secret portal session tokens are signed with (shared with rating); absent: no sessions are issued. */
        Optional<String> secret();

        /** Where the portal pages are served (admin-ui's {@code /portal}); a session's URL is this plus its token. */
        @WithDefault("http://127.0.0.1:8080/portal")
        String url();

        /** A session's lifetime when the request names none, and the longest one may ask for. */
        @WithDefault("PT15M")
        Duration defaultTtl();

        @WithDefault("PT1H")
        Duration maxTtl();
    }

    /** Secrets at rest (docs/operations.md "Secrets at rest"). */
    interface Secrets {
        /**
         * The key-encryption keys, {@code kid:base64-of-32-bytes,…}, the current one first (never logged); absent: no
         * Stripe key or webhook secret can be stored.
         */
        Optional<String> keys();

        /** How often stored secrets are moved to the current key (and plaintext from before encryption sealed). */
        @WithDefault("10m")
        String rotateEvery();
    }

    /** The event archive (docs/archive.md). */
    /** The scheduled warehouse export (docs/finance.md). */
    interface Warehouse {
        /** Whether this instance exports each finished day's billing facts as Parquet files with a manifest. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Where the export is written: a directory, or {@code s3://bucket/prefix} in S3-compatible object storage (see
         * {@link S3}); read by the warehouse's loader.
         */
        @WithDefault("warehouse")
        String dir();

        /** How often finished days not exported yet are looked for ({@code off}: never). */
        @WithDefault("1h")
        String every();

        /** How long after a UTC day ends before it is exported (transactions of its last moments have committed). */
        @WithDefault("PT1H")
        Duration settle();
    }

    interface Archive {
        /** Whether this instance archives {@code tally.events.accepted} and reconciles from the archive. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Where the archive's files are kept: a directory (shared by every invoicing instance), or {@code s3://bucket/prefix}
         * in S3-compatible object storage (see {@link S3}).
         */
        @WithDefault("archive")
        String dir();

        /**
         * The most records one poll of the archiver takes (it writes one file per tenant, day and partition of a poll and
         * commits once per poll, so larger polls mean fewer files, fsyncs and commits per record).
         */
        @WithDefault("50000")
        int maxPollRecords();

        /** How often the janitor deletes orphaned files and days past their retention. */
        @WithDefault("10m")
        String janitorEvery();

        /** How old a file the manifest does not name must be before the janitor deletes it (a write in progress is younger). */
        @WithDefault("PT10M")
        Duration orphanAge();

        /** How often a tenant's days of many small files are merged into one file each. */
        @WithDefault("10m")
        String compactEvery();

        /** How many live files a tenant's day must have before it is merged. */
        @WithDefault("8")
        int compactMinFiles();

        /** The most input bytes merged into one file (a larger day becomes several files). */
        @WithDefault("134217728")
        long compactMaxBytes();

        /**
         * Where DuckDB spills a recount's or a merge's working set past its 256 MB memory limit (default: the JVM's
         * temporary directory). A month of 100 million events spills a few GB (docs/archive.md): in a pod, a volume of its own.
         */
        Optional<String> scratchDir();

        /** A crash test's fault-injection point ({@code file-written}, {@code before-commit}); never set in production. */
        Optional<String> crashAt();
    }

    /**
     * The S3 client of the archive and the warehouse export when either is an {@code s3://} location: AWS S3 or any
     * S3-compatible endpoint (MinIO, Ceph, R2, S3Proxy …). Without an access key the SDK's default chain is used
     * (environment, web identity/IRSA, instance profile).
     */
    interface S3 {
        /** The endpoint, e.g. {@code http://minio:9000}; empty: AWS's own for the region. */
        Optional<URI> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Path-style requests ({@code endpoint/bucket/key}): what most S3-compatible servers need. */
        @WithDefault("false")
        boolean pathStyle();

        Optional<String> accessKeyId();

        /** Never logged. */
        Optional<String> secretAccessKey();
    }
}
