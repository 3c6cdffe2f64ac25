package dev.tally.model.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.Subscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A mid-period plan change: the usage before it is priced by the old version, the usage after it by the new one, each
 * segment alone, one line per meter rounded once.
 */
class PhasedChargesTest {
    private static final BillingPeriod MAY = new BillingPeriod(Instant.parse("2026-05-01T00:00:00Z"), Instant.parse("2026-06-01T00:00:00Z"));
    private static final Instant CHANGE = Instant.parse("2026-05-15T12:00:00Z");

    private static Subscription upgraded(Instant change) {
        Instant start = Instant.parse("2026-04-01T00:00:00Z");
        return new Subscription("sub_1", "cus_1", start, null, BillingCycle.CALENDAR_MONTH, null, List.of(
                new Subscription.Phase(start, "starter", 1, Subscription.Reason.START, null),
                new Subscription.Phase(change, "pro", 2, Subscription.Reason.CHANGE, null)));
    }

    private static PlanSpec perUnit(String key, String price) {
        return new PlanSpec(1, key, key, "USD", List.of(new PlanSpec.ChargeSpec("requests", "Requests", PlanSpec.PriceSpec.perUnit(price))), null);
    }

    private static PlanCharges.MeterUsage usage(BigDecimal before, long eventsBefore, BigDecimal after, long eventsAfter, Instant change) {
        PlanCharges.MeterUsage later = new PlanCharges.MeterUsage(after, eventsAfter);
        return new PlanCharges.MeterUsage(before.add(after), eventsBefore + eventsAfter, Map.of(), Map.of(change, later));
    }

    private static PhasedCharges.Line price(Subscription s, Map<String, PlanSpec> plans, Map<String, PlanCharges.MeterUsage> usage,
            List<PriceOverride> overrides) {
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(s, MAY, (k, v) -> plans.get(k), overrides);
        return PhasedCharges.price("USD", MAY, segments, usage, RoundingPolicy.DEFAULT).get(0);
    }

    @Property(tries = 300)
    void eachSegmentIsPricedByTheVersionInForceInIt(@ForAll("prices") BigDecimal old, @ForAll("prices") BigDecimal now,
            @ForAll("quantities") BigDecimal before, @ForAll("quantities") BigDecimal after) {
        PhasedCharges.Line l = price(upgraded(CHANGE), Map.of("starter", perUnit("starter", old.toPlainString()), "pro",
                perUnit("pro", now.toPlainString())), Map.of("requests", usage(before, 3, after, 4, CHANGE)), List.of());
        BigDecimal exact = before.multiply(old).add(after.multiply(now));
        assertThat(l.line().unroundedAmount()).isEqualByComparingTo(exact);
        assertThat(l.line().amount().amount()).isEqualByComparingTo(RoundingPolicy.DEFAULT.toMoney(exact, "USD").amount());
        assertThat(l.line().quantity()).isEqualByComparingTo(before.add(after));
        assertThat(l.line().eventCount()).isEqualTo(7);
    }

    @Property(tries = 200)
    void aChangeToTheSamePerUnitPriceBillsWhatNoChangeWould(@ForAll("prices") BigDecimal p, @ForAll("quantities") BigDecimal before,
            @ForAll("quantities") BigDecimal after) {
        Map<String, PlanSpec> plans = Map.of("starter", perUnit("starter", p.toPlainString()), "pro", perUnit("pro", p.toPlainString()));
        PhasedCharges.Line cut = price(upgraded(CHANGE), plans, Map.of("requests", usage(before, 1, after, 1, CHANGE)), List.of());
        PhasedCharges.Line whole = PhasedCharges.price("USD", MAY, List.of(PhasedCharges.segments(upgraded(CHANGE), MAY, (k, v) -> plans.get(k),
                List.of()).get(1)), Map.of("requests", new PlanCharges.MeterUsage(before.add(after), 2)), RoundingPolicy.DEFAULT).get(0);
        assertThat(cut.line().amount()).isEqualTo(whole.line().amount());
    }

    @Property(tries = 200)
    void theSegmentsShareOutThePeriodsUsageExactly(@ForAll("quantities") BigDecimal eu, @ForAll("quantities") BigDecimal us,
            @ForAll("quantities") BigDecimal euLater) {
        PlanCharges.MeterUsage later = new PlanCharges.MeterUsage(euLater, 2, Map.of(Map.of("region", "eu"), euLater));
        PlanCharges.MeterUsage total = new PlanCharges.MeterUsage(eu.add(us).add(euLater), 9, Map.of(Map.of("region", "eu"), eu.add(euLater),
                Map.of("region", "us"), us), Map.of(CHANGE, later));
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(upgraded(CHANGE), MAY, (k, v) -> perUnit(k, "1"), List.of());
        List<Map<String, PlanCharges.MeterUsage>> split = PhasedCharges.split(segments, Map.of("m", total));
        PlanCharges.MeterUsage first = split.get(0).get("m");
        PlanCharges.MeterUsage second = split.get(1).get("m");
        assertThat(first.quantity().add(second.quantity())).isEqualByComparingTo(total.quantity());
        assertThat(first.eventCount() + second.eventCount()).isEqualTo(9);
        Map<Map<String, String>, BigDecimal> groups = new HashMap<>(first.groups());
        second.groups().forEach((g, q) -> groups.merge(g, q, BigDecimal::add));
        groups.values().removeIf(q -> q.signum() == 0);
        Map<Map<String, String>, BigDecimal> expected = new HashMap<>(total.groups());
        expected.values().removeIf(q -> q.signum() == 0);
        assertThat(groups.keySet()).isEqualTo(expected.keySet());
        expected.forEach((g, q) -> assertThat(groups.get(g)).isEqualByComparingTo(q));
    }

    /**
     * Worked by hand. Starter v1: 1,000 requests free, then USD 0.01. Pro v2 (from 15 May 12:00): 10,000 free, then USD
     * 0.002, and it also charges storage at USD 0.10 per GB, which starter did not. 3,000 requests before the change:
     * 2,000 × 0.01 = 20.00; 12,500 after: 2,500 × 0.002 = 5.00 (pro's free tier starts again: the segment is priced as
     * a new subscription's would be) — 25.00. Storage: 40 GB before (not charged by starter) and 60 GB after, 60 × 0.10
     * under a negotiated USD 0.08 from 20 May: the override in force at the segment's end prices it, 4.80.
     */
    @Example
    void anUpgradeOnTheFifteenth() {
        PlanSpec.PriceSpec starterTiers = new PlanSpec.PriceSpec("graduated", null, null, null, List.of(new PlanSpec.TierSpec(new BigDecimal("1000"),
                BigDecimal.ZERO, null), new PlanSpec.TierSpec(null, new BigDecimal("0.01"), null)), null, null, null, null, null, null, null, null, null,
                null);
        PlanSpec.PriceSpec proTiers = new PlanSpec.PriceSpec("graduated", null, null, null, List.of(new PlanSpec.TierSpec(new BigDecimal("10000"),
                BigDecimal.ZERO, null), new PlanSpec.TierSpec(null, new BigDecimal("0.002"), null)), null, null, null, null, null, null, null, null, null,
                null);
        PlanSpec starter = new PlanSpec(1, "starter", "Starter", "USD", List.of(new PlanSpec.ChargeSpec("requests", "Requests", starterTiers)), null);
        PlanSpec pro = new PlanSpec(1, "pro", "Pro", "USD", List.of(new PlanSpec.ChargeSpec("storage", "Storage (GB)", PlanSpec.PriceSpec.perUnit(
                "0.10")), new PlanSpec.ChargeSpec("requests", "Requests", proTiers)), null);
        PriceOverride negotiated = new PriceOverride("ovr_1", "cus_1", null, null, "storage", PlanSpec.PriceSpec.perUnit("0.08"),
                Instant.parse("2026-05-20T00:00:00Z"), null, "rate card 2026");
        Map<String, PlanCharges.MeterUsage> usage = Map.of("requests", usage(new BigDecimal("3000"), 30, new BigDecimal("12500"), 125, CHANGE),
                "storage", usage(new BigDecimal("40"), 4, new BigDecimal("60"), 6, CHANGE));
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(upgraded(CHANGE), MAY, (k, v) -> k.equals("pro") ? pro : starter,
                List.of(negotiated));
        List<PhasedCharges.Line> lines = PhasedCharges.price("USD", MAY, segments, usage, RoundingPolicy.DEFAULT);

        assertThat(lines).extracting(l -> l.line().meterKey()).containsExactly("storage", "requests");
        PhasedCharges.Line storage = lines.get(0);
        assertThat(storage.line().amount().amount()).isEqualByComparingTo("4.80");
        assertThat(storage.line().quantity()).isEqualByComparingTo("100");
        assertThat(storage.override().overrideId()).isEqualTo("ovr_1");
        assertThat(storage.explanation().get(0)).isEqualTo("2026-05-01T00:00:00Z to 2026-05-15T12:00:00Z on starter v1: 40 (4 events),"
                + " not charged by this version");
        assertThat(storage.explanation().get(1)).startsWith("2026-05-15T12:00:00Z to 2026-06-01T00:00:00Z on pro v2: 60 (6 events) = USD 4.8");
        assertThat(storage.explanation().get(2)).contains("negotiated price (override ovr_1");
        PhasedCharges.Line requests = lines.get(1);
        assertThat(requests.line().amount().amount()).isEqualByComparingTo("25.00");
        assertThat(requests.line().quantity()).isEqualByComparingTo("15500");
        assertThat(requests.line().eventCount()).isEqualTo(155);
        assertThat(requests.priceModel()).isEqualTo("graduated");
        assertThat(requests.explanation()).first().asString().endsWith("on starter v1: 3000 (30 events) = USD 20");
    }

    @Example
    void withoutAChangeInThePeriodTheLinesArePlanChargesOwn() {
        Subscription s = upgraded(Instant.parse("2026-06-10T00:00:00Z"));
        Map<String, PlanCharges.MeterUsage> usage = Map.of("requests", new PlanCharges.MeterUsage(new BigDecimal("1234.5"), 12));
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(s, MAY, (k, v) -> perUnit(k, "0.013"), List.of());
        assertThat(segments).hasSize(1);
        PhasedCharges.Line l = PhasedCharges.price("USD", MAY, segments, usage, RoundingPolicy.DEFAULT).get(0);
        Invoice direct = InvoiceCalculator.compute("USD", MAY, PlanCharges.of(perUnit("starter", "0.013"), usage), RoundingPolicy.DEFAULT);
        assertThat(l.line()).isEqualTo(direct.lines().get(0));
    }

    @Provide
    Arbitrary<BigDecimal> prices() {
        return Arbitraries.bigDecimals().between(new BigDecimal("0.000001"), new BigDecimal("5")).ofScale(6);
    }

    @Provide
    Arbitrary<BigDecimal> quantities() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("10000000")).ofScale(3);
    }
}
