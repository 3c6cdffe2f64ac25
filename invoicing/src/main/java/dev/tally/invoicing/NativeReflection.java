package dev.tally.invoicing;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads back from stored JSON documents (not REST return types, which Quarkus registers on its
 * own): a native image needs them registered for reflection.
 */
@RegisterForReflection(targets = {
        dev.tally.invoicing.billing.Invoices.Content.class,
        dev.tally.invoicing.billing.Invoices.Adjustment.class,
        dev.tally.invoicing.billing.Invoices.Tax.class,
        dev.tally.invoicing.billing.PeriodPricing.Line.class,
        dev.tally.invoicing.refund.CreditNoteService.Document.class,
        dev.tally.model.terms.CreditNotes.Line.class,
        dev.tally.model.terms.PeriodTerms.Line.class,
        dev.tally.invoicing.reconcile.Reconciler.Report.class,
        dev.tally.invoicing.reconcile.Reconciler.Row.class,
        dev.tally.model.messages.AcceptedEventV1.class,
        dev.tally.model.messages.EventCorrectionV1.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
