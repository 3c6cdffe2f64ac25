package dev.tally.model.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 hash chain over a tenant's audit entries: {@code hash = SHA-256(prevHash, tenant, seq,
 * at, actor, entity, action, before, after)}, each field length-prefixed so no two entries can
 * encode alike. The first entry's {@code prevHash} is {@link #GENESIS}.
 */
public final class AuditChain {
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    public static String hash(String prevHash, String tenantId, long seq, Instant at, String actor, String entityType, String entityId,
            String action, String before, String after) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {prevHash, tenantId, Long.toString(seq), at.toString(), actor, entityType, entityId, action,
                    before, after}) {
                byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
                sha.update((field == null ? "N" : bytes.length + ":").getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hashOf(AuditEntry e) {
        return hash(e.prevHash(), e.tenantId(), e.seq(), e.at(), e.actor(), e.entityType(), e.entityId(), e.action(), e.before(), e.after());
    }

    /**
     * Index of the first entry that breaks the chain (edited, removed before it, reordered), or -1
     * when the whole list — a tenant's entries in {@code seq} order — verifies.
     */
    public static int firstBreak(List<AuditEntry> entries) {
        String prev = GENESIS;
        for (int i = 0; i < entries.size(); i++) {
            AuditEntry e = entries.get(i);
            if (!e.prevHash().equals(prev) || !e.hash().equals(hashOf(e))) {
                return i;
            }
            prev = e.hash();
        }
        return -1;
    }
}
