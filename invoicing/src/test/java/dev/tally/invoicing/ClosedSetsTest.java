package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.invoicing.payment.ProviderJobKind;
import dev.tally.invoicing.payment.ProviderJobStatus;
import dev.tally.model.ClosedSet;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.model.terms.Funding;
import dev.tally.model.terms.RefundStatus;
import dev.tally.testing.CheckConstraints;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** A closed set is a type, and the database's check constraint holds exactly its values. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ClosedSetsTest {
    @Inject
    DataSource dataSource;

    @Test
    void invoiceStatusIsWhatTheDatabaseAllows() throws Exception {
        assertThat(allowed("invoice", "status")).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(InvoiceStatus.values()).map(InvoiceStatus::wire).toList());
        assertThat(InvoiceStatus.of("void")).isEqualTo(InvoiceStatus.VOID);
        assertThatThrownBy(() -> InvoiceStatus.of("draft")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void creditNoteRefundAndProviderJobSetsAreWhatTheDatabaseAllows() throws Exception {
        assertThat(allowed("credit_note", "status")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(CreditNoteStatus.class));
        assertThat(allowed("refund", "status")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(RefundStatus.class));
        assertThat(allowed("provider_job", "kind")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(ProviderJobKind.class));
        assertThat(allowed("provider_job", "status")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(ProviderJobStatus.class));
        assertThatThrownBy(() -> RefundStatus.of("canceled")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[pending, succeeded, failed]");
    }

    @Test
    void invoiceKindAndCreditFundingAreWhatTheDatabaseAllows() throws Exception {
        assertThat(allowed("invoice", "kind")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(InvoiceKind.class));
        assertThat(allowed("credit_grant", "funding")).containsExactlyInAnyOrderElementsOf(ClosedSet.wires(Funding.class));
    }

    private List<String> allowed(String table, String column) throws Exception {
        return CheckConstraints.allowed(dataSource, table, column);
    }
}
