package dev.tally.platform;

import dev.tally.model.attribution.Aliases;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.DeadLetterV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.security.PortalTokens;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What every service reads and writes with its own {@code ObjectMapper} (not as a REST type, which Quarkus
 * registers by itself): the Kafka messages of {@code dev.tally.model.messages} and every model type they carry, and
 * the problem document. A native image needs them registered for reflection; the deploy check's
 * {@code NativeReflectionTest} fails when a message or a type it carries is missing here.
 */
@RegisterForReflection(targets = {
        Aliases.class,
        Aliases.Problem.class,
        AcceptanceMarkerV1.class,
        AcceptedEventV1.class,
        AlertV1.class,
        CatalogRecordV1.class,
        CatalogRecordV1.AdminUser.class,
        CatalogRecordV1.ApiKey.class,
        CatalogRecordV1.Customer.class,
        CatalogRecordV1.Kind.class,
        CatalogRecordV1.Limit.class,
        CatalogRecordV1.Meter.class,
        CatalogRecordV1.PlanVersion.class,
        CatalogRecordV1.PriceOverrideState.class,
        CatalogRecordV1.SubscriptionState.class,
        CreditNoteIssuedV1.class,
        DeadLetterV1.class,
        EventCorrectionV1.class,
        InvoiceIssuedV1.class,
        InvoiceIssuedV1.Line.class,
        InvoiceStatusV1.class,
        RatedUsageV1.class,
        RatedUsageV1.Charge.class,
        RatedUsageV1.Segment.class,
        // customer portal session claims (PortalTokens), read back from each token's payload
        PortalTokens.Claims.class,
        RefundStatusV1.class,
        WatermarkV1.class,
        FilterSpec.class,
        PlanSpec.class,
        PlanSpec.ChargeSpec.class,
        PlanSpec.DiscountSpec.class,
        PlanSpec.FixedFeeSpec.class,
        PlanSpec.MatrixEntrySpec.class,
        PlanSpec.PriceSpec.class,
        PlanSpec.TermsSpec.class,
        PlanSpec.TierSpec.class,
        PriceOverride.class,
        BillingCycle.class,
        BillingCycle.Interval.class,
        Subscription.class,
        Subscription.Phase.class,
        Subscription.Reason.class,
        Subscription.Segment.class,
        Problem.class,
        Problem.FieldError.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
