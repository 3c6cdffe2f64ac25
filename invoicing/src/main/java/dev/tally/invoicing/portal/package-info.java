/**
 * The customer portal's sessions: short-lived signed tokens for one customer ({@code PortalTokens}), issued to a tenant's
 * backend, and which read routes such a token may use ({@code security.PortalAccess}). Owns no table: a session is its
 * token, and each issue is in the audit log.
 */
package dev.tally.invoicing.portal;
