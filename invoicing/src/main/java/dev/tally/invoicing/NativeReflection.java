package dev.tally.invoicing;

import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.reconcile.DriftKind;
import dev.tally.invoicing.reconcile.Reconciler;
import dev.tally.invoicing.refund.CreditNoteService;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.terms.CreditNotes;
import dev.tally.model.terms.PeriodTerms;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads back from stored JSON documents (not REST return types, which Quarkus registers on its
 * own) — the Kafka messages are registered by infra/platform's: a native image needs them registered for reflection,
 * and the deploy check's {@code NativeReflectionTest} finds any class bound by name that is missing.
 */
@RegisterForReflection(targets = {
        // the invoice document (shared-model): stored as each invoice's JSON and read back
        InvoiceDocumentV1.class,
        InvoiceDocumentV1.Line.class,
        InvoiceDocumentV1.Adjustment.class,
        InvoiceDocumentV1.Tax.class,
        InvoiceDocumentV1.CreditUse.class,
        CreditNoteService.Document.class,
        CreditNotes.Line.class,
        PeriodTerms.Line.class,
        Reconciler.Report.class,
        Reconciler.Row.class,
        DriftKind.class,
        // each line of a bulk customer import (NDJSON), read by the importer itself
        CustomerService.NewCustomer.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
