/**
 * Kafka clients with Tally's settings, and consumers composed, not inherited: a {@code PollLoop}
 * with a handler and where the offsets live — Kafka's committed offsets, or PostgreSQL with what they applied (exactly
 * once); their lag, and records set aside.
 */
package dev.tally.platform.kafka;
