/** API keys (hashed, scoped, per tenant), admin users acting in a tenant, rate limits per key, webhook signatures. */
package dev.tally.platform.security;
