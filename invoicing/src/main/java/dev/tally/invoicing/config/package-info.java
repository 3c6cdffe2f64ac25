/** The invoicing service's settings: one {@code @ConfigMapping}. */
package dev.tally.invoicing.config;
