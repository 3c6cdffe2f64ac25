package dev.tally.platform;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What every service reads and writes with its own {@code ObjectMapper} (not as a REST type, which Quarkus
 * registers by itself): the Kafka messages of {@code dev.tally.model.messages} and every model type they carry, and
 * the problem document. A native image needs them registered for reflection; the deploy check's
 * {@code NativeReflectionTest} fails when a message or a type it carries is missing here.
 */
@RegisterForReflection(targets = {
        dev.tally.model.attribution.Aliases.class,
        dev.tally.model.attribution.Aliases.Problem.class,
        dev.tally.model.messages.AcceptanceMarkerV1.class,
        dev.tally.model.messages.AcceptedEventV1.class,
        dev.tally.model.messages.AlertV1.class,
        dev.tally.model.messages.CatalogRecordV1.class,
        dev.tally.model.messages.CatalogRecordV1.AdminUser.class,
        dev.tally.model.messages.CatalogRecordV1.ApiKey.class,
        dev.tally.model.messages.CatalogRecordV1.Customer.class,
        dev.tally.model.messages.CatalogRecordV1.Kind.class,
        dev.tally.model.messages.CatalogRecordV1.Limit.class,
        dev.tally.model.messages.CatalogRecordV1.Meter.class,
        dev.tally.model.messages.CatalogRecordV1.PlanVersion.class,
        dev.tally.model.messages.CatalogRecordV1.SubscriptionState.class,
        dev.tally.model.messages.CreditNoteIssuedV1.class,
        dev.tally.model.messages.DeadLetterV1.class,
        dev.tally.model.messages.EventCorrectionV1.class,
        dev.tally.model.messages.InvoiceIssuedV1.class,
        dev.tally.model.messages.InvoiceIssuedV1.Line.class,
        dev.tally.model.messages.InvoiceStatusV1.class,
        dev.tally.model.messages.RatedUsageV1.class,
        dev.tally.model.messages.RatedUsageV1.Charge.class,
        dev.tally.model.messages.RefundStatusV1.class,
        dev.tally.model.messages.WatermarkV1.class,
        dev.tally.model.metering.FilterSpec.class,
        dev.tally.model.plan.PlanSpec.class,
        dev.tally.model.plan.PlanSpec.ChargeSpec.class,
        dev.tally.model.plan.PlanSpec.DiscountSpec.class,
        dev.tally.model.plan.PlanSpec.FixedFeeSpec.class,
        dev.tally.model.plan.PlanSpec.MatrixEntrySpec.class,
        dev.tally.model.plan.PlanSpec.PriceSpec.class,
        dev.tally.model.plan.PlanSpec.TermsSpec.class,
        dev.tally.model.plan.PlanSpec.TierSpec.class,
        dev.tally.model.subscription.BillingCycle.class,
        dev.tally.model.subscription.BillingCycle.Interval.class,
        dev.tally.model.subscription.Subscription.class,
        dev.tally.model.subscription.Subscription.Phase.class,
        dev.tally.model.subscription.Subscription.Reason.class,
        dev.tally.platform.problem.Problem.class,
        dev.tally.platform.problem.Problem.FieldError.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
