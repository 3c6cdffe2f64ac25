/**
 * What ingest owns in its schema: dedup keys and their expiry, accepted events and corrections written with their
 * outbox rows, the quarantine and dead letters, acceptance markers for rating's watermarks.
 */
package dev.tally.ingest.store;
