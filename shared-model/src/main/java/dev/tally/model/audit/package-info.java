/** The audit trail's hash chain: each entry commits to the one before it, so an edited or removed entry is detectable. */
package dev.tally.model.audit;
