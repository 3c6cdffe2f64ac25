package dev.tally.model.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {
    private static List<AuditEntry> chain(int n) {
        List<AuditEntry> out = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            Instant at = Instant.parse("2026-11-22T10:00:00Z").plusSeconds(i);
            String after = "{\"key\":\"m" + i + "\"}";
            String hash = AuditChain.hash(prev, "t1", i, at, "key:abc", "meter", "m" + i, "create", null, after);
            out.add(new AuditEntry("t1", i, at, "key:abc", "meter", "m" + i, "create", null, after, prev, hash));
            prev = hash;
        }
        return out;
    }

    @Test
    void anIntactChainVerifies() {
        assertThat(AuditChain.firstBreak(chain(5))).isEqualTo(-1);
        assertThat(AuditChain.firstBreak(List.of())).isEqualTo(-1);
    }

    @Test
    void editingRemovingOrReorderingAnEntryIsDetectedWhereItHappens() {
        List<AuditEntry> edited = new ArrayList<>(chain(5));
        AuditEntry e = edited.get(2);
        edited.set(2, new AuditEntry(e.tenantId(), e.seq(), e.at(), e.actor(), e.entityType(), e.entityId(), e.action(), e.before(),
                "{\"key\":\"forged\"}", e.prevHash(), e.hash()));
        assertThat(AuditChain.firstBreak(edited)).isEqualTo(2);

        List<AuditEntry> removed = new ArrayList<>(chain(5));
        removed.remove(1);
        assertThat(AuditChain.firstBreak(removed)).isEqualTo(1);

        List<AuditEntry> swapped = new ArrayList<>(chain(5));
        swapped.set(3, chain(5).get(4));
        swapped.set(4, chain(5).get(3));
        assertThat(AuditChain.firstBreak(swapped)).isEqualTo(3);
    }

    @Test
    void nullAndEmptyFieldsHashDifferently() {
        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(AuditChain.hash(AuditChain.GENESIS, "t", 1, at, "a", "e", "i", "x", null, "{}"))
                .isNotEqualTo(AuditChain.hash(AuditChain.GENESIS, "t", 1, at, "a", "e", "i", "x", "", "{}"));
    }
}
