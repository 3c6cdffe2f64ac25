/** W3C trace context carried across the outbox and Kafka, so one trace follows an event from ingest to the invoice. */
package dev.tally.platform.tracing;
