/**
 * Attribution: which customer a usage event belongs to, from its customer reference or from the
 * traffic's source (IP range, hostname, API key) — how a gateway connects traffic to accounts.
 */
package dev.tally.model.attribution;
