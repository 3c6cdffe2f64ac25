/** HTTP plumbing the context APIs share: field checks, CSV, request bodies' shapes that several use, and the mapping of a unique-key race to 409. Each context ({@code catalog}, {@code billing}, {@code credit}, {@code refund}, {@code payment}, {@code reconcile}, {@code tax}, {@code webhook}) keeps its resources in its own {@code api} package. */
package dev.tally.invoicing.api;
