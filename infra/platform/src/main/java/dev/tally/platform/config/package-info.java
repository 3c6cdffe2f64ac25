/** The platform's settings: one {@code @ConfigMapping}. */
package dev.tally.platform.config;
