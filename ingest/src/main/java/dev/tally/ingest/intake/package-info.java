/**
 * The {@code tally.events.raw} topic as a second way in: each record validated and deduplicated like an HTTP event
 * (triage), or dead-lettered with its reason.
 */
package dev.tally.ingest.intake;
