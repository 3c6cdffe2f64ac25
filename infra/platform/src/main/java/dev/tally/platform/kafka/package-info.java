/**
 * Kafka clients with Tally's settings, and consumers whose offsets live in PostgreSQL with what they applied
 * (exactly once), their lag, and records set aside.
 */
package dev.tally.platform.kafka;
