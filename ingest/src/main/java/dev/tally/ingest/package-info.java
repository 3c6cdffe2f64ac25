/**
 * Ingest: takes usage events over REST, validates each (shared-model's rules), attributes it to a
 * customer from the catalog read model, deduplicates by (tenant, event id) in Postgres and writes
 * the accepted ones to its outbox in the same transaction. The outbox relay hands them to Kafka.
 */
package dev.tally.ingest;
