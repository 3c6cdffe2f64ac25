/** What invoicing's Kafka consumers share. */
package dev.tally.invoicing.kafka;
