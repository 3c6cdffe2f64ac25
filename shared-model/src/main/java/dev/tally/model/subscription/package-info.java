/**
 * Subscriptions as values: which plan version is in force for a customer at any instant (phases),
 * and how time is cut into billing periods (cycles with an anchor day). Pure: no clock, no I/O.
 */
package dev.tally.model.subscription;
