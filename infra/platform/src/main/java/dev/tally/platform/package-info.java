/**
 * Adapters shared by ingest, rating and invoicing. Thin: the rules live in shared-model; this is
 * the plumbing that moves them through Postgres and Kafka exactly once.
 */
package dev.tally.platform;
