/** The poll loops of invoicing's Kafka consumers (committed offsets, one consumer group setting); each consumer is a handler in its own context. */
package dev.tally.invoicing.kafka;
