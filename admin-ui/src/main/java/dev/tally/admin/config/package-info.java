/** Typed configuration, so the token, service URLs and timeouts are validated once at startup. */
package dev.tally.admin.config;
