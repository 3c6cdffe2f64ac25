/** HTTP adapters: the token filter, the page, the health aggregation and problem+json errors, so nothing leaves unauthenticated or with a stack trace. */
package dev.tally.admin.api;
