package dev.tally.invoicing.billing;

import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.money.Money;
import dev.tally.model.terms.PeriodTerms;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Invoices for purchased credit (a prepaid commitment, a top-up): each instalment once it is due — right when the grant
 * is made for the first, on a schedule for the rest — as a purchase invoice: no usage period, one line, numbered in the
 * tenant's invoice series, announced and pushed to the payment provider like any invoice. No tax: the usage invoices the
 * credit later pays carry the tax of what was used.
 */
@ApplicationScoped
public class PurchaseInvoices {
    @Inject
    CreditLedger credits;
    @Inject
    InvoiceNumbers numbers;
    @Inject
    Invoices invoices;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    /** Issues every tenant's due instalments on a schedule (a grant's first instalment is issued when it is made). */
    @Scheduled(every = "${tally.purchases.issue-every:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                issueDue(c, null, clock.instant(), "schedule");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Invoices the instalments due by {@code now} (of one tenant, or all: null) in the caller's transaction; returns the invoices. */
    public List<InvoiceDocumentV1> issueDue(Connection c, String tenantId, Instant now, String actor) throws Exception {
        Map<String, List<CreditLedger.DueInstalment>> byTenant = new LinkedHashMap<>();
        for (CreditLedger.DueInstalment i : credits.dueInstalments(c, tenantId, now)) {
            byTenant.computeIfAbsent(i.tenantId(), k -> new ArrayList<>()).add(i);
        }
        List<InvoiceDocumentV1> all = new ArrayList<>();
        for (Map.Entry<String, List<CreditLedger.DueInstalment>> e : byTenant.entrySet()) {
            String tenant = e.getKey();
            List<CreditLedger.DueInstalment> due = e.getValue();
            List<String> drawn = numbers.nextNumbers(c, tenant, now, due.size());
            List<InvoiceDocumentV1> docs = new ArrayList<>();
            for (int n = 0; n < due.size(); n++) {
                docs.add(document(due.get(n), "inv_" + UUID.randomUUID().toString().replace("-", ""), drawn.get(n), now, actor));
            }
            invoices.issue(c, tenant, docs, actor, now);
            for (int n = 0; n < due.size(); n++) {
                credits.invoiced(c, due.get(n), docs.get(n).invoiceId());
            }
            all.addAll(docs);
        }
        return all;
    }

    /** The purchase invoice of one instalment: its line names the credit bought, its term, and which instalment it is. */
    static InvoiceDocumentV1 document(CreditLedger.DueInstalment i, String invoiceId, String number, Instant now, String actor) {
        Money amount = Money.of(i.amount(), i.currency());
        String term = i.effectiveAt() + (i.expiresAt() == null ? " on" : " to " + i.expiresAt());
        String what = "Prepaid credit " + Money.of(i.credit(), i.currency()) + " (" + term + "; " + i.reason() + ")"
                + (i.of() > 1 ? " — instalment " + i.seq() + " of " + i.of() : "");
        PeriodTerms.Line line = new PeriodTerms.Line("purchase:" + i.grantId() + "#" + i.seq(), "purchase", what, amount.amount());
        Instant end = i.expiresAt() == null ? i.dueAt() : i.expiresAt();
        return new InvoiceDocumentV1(invoiceId, number, i.customerId(), i.externalId(), null, null, 0, i.currency(), i.dueAt(), end, now, List.of(),
                List.of(line), List.of(), amount.amount(), null, amount.amount(), Money.zero(i.currency()).amount(), amount.amount(),
                InvoiceGenerator.ROUNDING, now, actor, null, InvoiceKind.PURCHASE.wire(), List.of());
    }
}
