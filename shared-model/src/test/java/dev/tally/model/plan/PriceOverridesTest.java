package dev.tally.model.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Negotiated prices: a customer's override replaces one charge's price for that customer only, the most specific and
 * then the newest in force wins, and nothing else of the plan moves.
 */
class PriceOverridesTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final BillingPeriod NOV = BillingPeriod.calendarMonthOf(T0);
    private static final List<String> CUSTOMERS = List.of("cus_a", "cus_b");
    private static final List<String> METERS = List.of("calls", "bytes");
    private static final PlanSpec LIST = PlanSpec.of(1, "pro", "Pro", "USD", List.of(
            new PlanSpec.ChargeSpec("calls", "API calls", PlanSpec.PriceSpec.perUnit("0.10")),
            new PlanSpec.ChargeSpec("bytes", "Bandwidth", PlanSpec.PriceSpec.perUnit("0.02"))));

    private static PriceOverride override(String id, String customer, String subscription, String plan, String meter, String price, Instant from,
            Instant until) {
        return new PriceOverride(id, customer, subscription, plan, meter, PlanSpec.PriceSpec.perUnit(price), from, until, null);
    }

    private static BigDecimal total(PlanSpec spec, String calls, String bytes) {
        return InvoiceCalculator.compute("USD", NOV, PlanCharges.of(spec, Map.of("calls", new PlanCharges.MeterUsage(new BigDecimal(calls), 1),
                "bytes", new PlanCharges.MeterUsage(new BigDecimal(bytes), 1))), RoundingPolicy.DEFAULT).total().amount();
    }

    /** A Metronome-style negotiated rate card: 1,000,000 calls at $0.08 instead of the list $0.10; bandwidth stays at list. */
    @Example
    void aNegotiatedRateReplacesOnlyItsCharge() {
        PriceOverrides.Applied a = PriceOverrides.apply(LIST, "pro", "cus_a", "sub_a", NOV.lastInstant(),
                List.of(override("po_1", "cus_a", null, null, "calls", "0.08", T0, null)));
        assertThat(total(a.spec(), "1000000", "500")).isEqualByComparingTo("80010.00"); // 80,000 + 500 × 0.02
        assertThat(total(LIST, "1000000", "500")).isEqualByComparingTo("100010.00");
        assertThat(a.byMeter()).containsOnlyKeys("calls");
        assertThat(a.spec().charges().get(0).description()).isEqualTo("API calls");
    }

    @Example
    void theMostSpecificThenTheNewestWinsAndAnEndedOneNoLongerApplies() {
        Instant dec = Instant.parse("2026-12-01T00:00:00Z");
        List<PriceOverride> card = List.of(
                override("po_customer", "cus_a", null, null, "calls", "0.09", T0, null),
                override("po_newer", "cus_a", null, null, "calls", "0.085", T0.plusSeconds(86_400), null),
                override("po_sub", "cus_a", "sub_a", null, "calls", "0.07", T0, dec),
                override("po_other_plan", "cus_a", "sub_a", "basic", "calls", "0.01", T0, null));
        // the subscription's own override beats the customer's, while it is in force
        assertThat(PriceOverrides.apply(LIST, "pro", "cus_a", "sub_a", NOV.lastInstant(), card).byMeter().get("calls").overrideId())
                .isEqualTo("po_sub");
        // after it ends, the customer's newest one; on another subscription too
        assertThat(PriceOverrides.apply(LIST, "pro", "cus_a", "sub_a", dec, card).byMeter().get("calls").overrideId()).isEqualTo("po_newer");
        assertThat(PriceOverrides.apply(LIST, "pro", "cus_a", "sub_x", NOV.lastInstant(), card).byMeter().get("calls").overrideId())
                .isEqualTo("po_newer");
        // before any starts, the plan
        assertThat(PriceOverrides.apply(LIST, "pro", "cus_a", "sub_a", T0.minusSeconds(1), card).spec()).isEqualTo(LIST);
    }

    /** Another customer's overrides never change a customer's prices: applying all of them is applying only its own. */
    @Property(tries = 500)
    void overridesNeverLeakToAnotherCustomer(@ForAll("overrides") List<PriceOverride> overrides, @ForAll("customers") String customer,
            @ForAll("instants") Instant at) {
        List<PriceOverride> own = overrides.stream().filter(o -> o.customerId().equals(customer)).toList();
        PriceOverrides.Applied all = PriceOverrides.apply(LIST, "pro", customer, "sub_" + customer, at, overrides);
        assertThat(all).isEqualTo(PriceOverrides.apply(LIST, "pro", customer, "sub_" + customer, at, own));
        assertThat(all.byMeter().values()).allMatch(o -> o.customerId().equals(customer) && o.inForceAt(at));
        // a charge without an override in force keeps the plan's price, and nothing else of the plan changes
        for (int i = 0; i < LIST.charges().size(); i++) {
            PlanSpec.ChargeSpec plan = LIST.charges().get(i);
            PlanSpec.ChargeSpec priced = all.spec().charges().get(i);
            assertThat(priced.meter()).isEqualTo(plan.meter());
            assertThat(priced.price()).isEqualTo(all.byMeter().containsKey(plan.meter()) ? all.byMeter().get(plan.meter()).price() : plan.price());
        }
        assertThat(all.spec().terms()).isEqualTo(LIST.terms());
    }

    @Provide
    Arbitrary<String> customers() {
        return Arbitraries.of(CUSTOMERS);
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(0, 60L * 86_400).map(T0::plusSeconds);
    }

    @Provide
    Arbitrary<List<PriceOverride>> overrides() {
        Arbitrary<PriceOverride> one = Combinators.combine(Arbitraries.strings().numeric().ofLength(6), Arbitraries.of(CUSTOMERS),
                Arbitraries.of(METERS), Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.ONE).ofScale(4), instants(),
                Arbitraries.longs().between(0, 40L * 86_400).injectNull(0.4), Arbitraries.of(true, false))
                .as((id, customer, meter, price, from, days, ownSubscription) -> override("po_" + id, customer, ownSubscription ? "sub_" + customer
                        : null, null, meter, price.toPlainString(), from, days == null ? null : from.plusSeconds(days + 1)));
        return one.list().ofMaxSize(8);
    }
}
