package dev.tally.invoicing;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads back from stored JSON documents (not REST return types, which Quarkus registers on its
 * own) — the Kafka messages are registered by infra/platform's: a native image needs them registered for reflection,
 * and the deploy check's {@code NativeReflectionTest} finds any class bound by name that is missing.
 */
@RegisterForReflection(targets = {
        // the invoice document (shared-model): stored as each invoice's JSON and read back
        dev.tally.model.invoice.InvoiceDocumentV1.class,
        dev.tally.model.invoice.InvoiceDocumentV1.Line.class,
        dev.tally.model.invoice.InvoiceDocumentV1.Adjustment.class,
        dev.tally.model.invoice.InvoiceDocumentV1.Tax.class,
        dev.tally.invoicing.refund.CreditNoteService.Document.class,
        dev.tally.model.terms.CreditNotes.Line.class,
        dev.tally.model.terms.PeriodTerms.Line.class,
        dev.tally.invoicing.reconcile.Reconciler.Report.class,
        dev.tally.invoicing.reconcile.Reconciler.Row.class,
        // each line of a bulk customer import (NDJSON), read by the importer itself
        dev.tally.invoicing.catalog.CustomerService.NewCustomer.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
