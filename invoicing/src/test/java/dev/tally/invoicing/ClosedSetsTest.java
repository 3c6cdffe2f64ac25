package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.invoicing.payment.ProviderJobKind;
import dev.tally.invoicing.payment.ProviderJobStatus;
import dev.tally.model.ClosedSet;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.CreditNoteStatus;
import dev.tally.model.terms.RefundStatus;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** The values a {@code column in (…)} check constraint of {@code table} allows, as PostgreSQL states it. */
    private List<String> allowed(String table, String column) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select pg_get_constraintdef(oid) from pg_constraint where conrelid = ?::regclass and contype = 'c'""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String def = rs.getString(1);
                    if (def.startsWith("CHECK ((" + column + " = ANY")) {
                        List<String> out = new ArrayList<>();
                        Matcher m = Pattern.compile("'([^']*)'::text").matcher(def);
                        while (m.find()) {
                            out.add(m.group(1));
                        }
                        return out;
                    }
                }
            }
        }
        throw new AssertionError("no check constraint on " + table + "." + column);
    }
}
