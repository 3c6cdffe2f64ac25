/** ingest's settings (one {@code @ConfigMapping}, prefix {@code tally.ingest}). */
package dev.tally.ingest.config;
