/** Meters, aggregations and billing periods. */
package dev.tally.model.metering;
