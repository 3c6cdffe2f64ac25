/** The rating service's settings: one {@code @ConfigMapping}. */
package dev.tally.rating.config;
