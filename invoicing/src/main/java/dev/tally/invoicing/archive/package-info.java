/**
 * The event archive (issue 24): every record of {@code tally.events.accepted} — accepted events and their corrections —
 * kept as Apache Parquet files per tenant and day, written exactly once ({@link EventArchiver}: files first, then their
 * manifest rows and the consumer's offsets in one transaction), and read back with an embedded DuckDB
 * ({@link ParquetFiles}) by reconciliation and the dispute tools.
 */
package dev.tally.invoicing.archive;
