/**
 * ingest's REST adapters: events (JSON, NDJSON, CloudEvents, gzip), corrections, the quarantine and dead letters,
 * with API-key authentication and per-key rate limits. No SQL here (the house rules): storage is {@code store}.
 */
package dev.tally.ingest.api;
