/** Errors as RFC 9457 problem+json: specific types and fields, never a stack trace to the caller; body size limits. */
package dev.tally.platform.problem;
