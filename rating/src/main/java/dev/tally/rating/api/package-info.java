/**
 * rating's REST adapters: usage (per day, group and period), spend and entitlement checks, authenticated by API key.
 * Reads go through {@code store}.
 */
package dev.tally.rating.api;
