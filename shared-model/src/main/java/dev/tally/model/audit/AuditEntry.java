package dev.tally.model.audit;

import java.time.Instant;

/**
 * One catalog change: who did what to which entity, the entity before and after (JSON text, stored
 * and hashed byte for byte), and the chain link. {@code seq} orders a tenant's entries.
 *
 * @param actor  {@code key:<keyId>} or {@code operator}
 * @param action e.g. {@code create}, {@code revoke}
 * @param before JSON text, or null for a creation
 * @param after  JSON text, or null for a deletion
 */
public record AuditEntry(String tenantId, long seq, Instant at, String actor, String entityType, String entityId, String action,
        String before, String after, String prevHash, String hash) {
}
