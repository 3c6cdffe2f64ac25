/**
 * Kafka message schemas, versioned by name ({@code …V1}); the only copy. Wire format is JSON with
 * decimals as strings (services configure their codec once, in the platform module).
 */
package dev.tally.model.messages;
