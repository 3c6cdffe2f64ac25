package dev.tally.platform.catalog;

import java.time.Duration;

/**
 * Read-your-writes across services: how long the catalog's owner (invoicing) waits before answering a catalog write until
 * it is published, and how long ingest and rating wait, on an unknown key or customer, for their catalog view to read
 * the topic's end before they refuse or quarantine.
 */
public final class ReadYourWrites {
    public static final Duration BOUND = Duration.ofSeconds(2);

    private ReadYourWrites() {
    }
}
