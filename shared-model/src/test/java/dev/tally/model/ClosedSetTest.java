package dev.tally.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.CreditNoteStatus;
import org.junit.jupiter.api.Test;

/** A closed set's spelling is its constant's name in lower case, both ways, and an unknown spelling names the allowed ones. */
class ClosedSetTest {
    @Test
    void spellingsRoundTripAndUnknownOnesAreRefused() {
        assertThat(CreditNoteStatus.PENDING_APPROVAL.wire()).isEqualTo("pending_approval");
        assertThat(CreditNoteStatus.of("pending_approval")).isEqualTo(CreditNoteStatus.PENDING_APPROVAL);
        assertThat(ClosedSet.wires(InvoiceStatus.class)).containsExactly("finalized", "paid", "void");
        assertThat(InvoiceStatus.PAID.is("paid")).isTrue();
        assertThat(InvoiceStatus.PAID.is("PAID")).isFalse();
        assertThatThrownBy(() -> InvoiceStatus.of("draft")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown InvoiceStatus 'draft'").hasMessageContaining("[finalized, paid, void]");
    }
}
