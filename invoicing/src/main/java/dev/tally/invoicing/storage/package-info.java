/**
 * Where the event archive's and the warehouse export's files are kept: a directory, or S3-compatible object storage —
 * one seam ({@link dev.tally.invoicing.storage.ObjectStore}) with an object made visible whole or not at all.
 */
package dev.tally.invoicing.storage;
