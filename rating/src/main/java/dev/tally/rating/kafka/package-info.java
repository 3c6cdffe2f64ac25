/**
 * The consumer of {@code tally.events.accepted}: each poll applied exactly once by the store, with its trace spans
 * and the freshness figures.
 */
package dev.tally.rating.kafka;
