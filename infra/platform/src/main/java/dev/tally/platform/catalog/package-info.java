/**
 * The catalog read model every service keeps from {@code tally.catalog} (keys, customers and aliases, meters, plans,
 * admin users), and the readiness that waits for it.
 */
package dev.tally.platform.catalog;
