/**
 * The transactional outbox (one table per service schema, the only DDL copy in {@code db/outbox}) and its relay: the
 * only producer to Kafka.
 */
package dev.tally.platform.outbox;
