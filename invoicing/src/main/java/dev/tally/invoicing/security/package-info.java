/** Authentication: operator token for /v1/admin, tenant API keys (hashed, scoped) for the rest. */
package dev.tally.invoicing.security;
