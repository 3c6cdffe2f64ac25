package dev.tally.model.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.metering.BillingPeriod;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SubscriptionTest {
    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void anAnchorPastTheMonthsEndFallsOnItsLastDayAndComesBack() {
        BillingCycle c = BillingCycle.monthly(31);
        assertThat(c.periodContaining(t("2026-04-15T00:00:00Z")))
                .isEqualTo(new BillingPeriod(t("2026-03-31T00:00:00Z"), t("2026-04-30T00:00:00Z")));
        assertThat(c.periodContaining(t("2026-04-30T00:00:00Z")))
                .isEqualTo(new BillingPeriod(t("2026-04-30T00:00:00Z"), t("2026-05-31T00:00:00Z")));
        assertThat(c.periodContaining(t("2028-02-29T12:00:00Z")))
                .isEqualTo(new BillingPeriod(t("2028-02-29T00:00:00Z"), t("2028-03-31T00:00:00Z")));
        assertThat(BillingCycle.CALENDAR_MONTH.periodContaining(t("2026-11-22T10:00:00Z")))
                .isEqualTo(BillingPeriod.calendarMonthOf(t("2026-11-22T10:00:00Z")));
    }

    @Test
    void annualCyclesTurnOnTheAnchorMonthAndDay() {
        BillingCycle c = BillingCycle.annual(2, 29);
        assertThat(c.periodContaining(t("2027-06-01T00:00:00Z")))
                .isEqualTo(new BillingPeriod(t("2027-02-28T00:00:00Z"), t("2028-02-29T00:00:00Z")));
        assertThat(c.periodContaining(t("2027-02-27T23:59:59Z")))
                .isEqualTo(new BillingPeriod(t("2026-02-28T00:00:00Z"), t("2027-02-28T00:00:00Z")));
    }

    /** Periods tile time: each contains its instant, and the next one starts where it ends. */
    @Property(tries = 2000)
    void periodsTileTime(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long seconds, @ForAll @IntRange(min = 1, max = 31) int day,
            @ForAll @IntRange(min = 1, max = 12) int month, @ForAll boolean annual) {
        BillingCycle c = annual ? BillingCycle.annual(month, day) : BillingCycle.monthly(day);
        Instant at = Instant.ofEpochSecond(seconds);
        BillingPeriod p = c.periodContaining(at);
        assertThat(p.contains(at)).isTrue();
        assertThat(c.periodContaining(p.end()).start()).isEqualTo(p.end());
        assertThat(c.periodContaining(p.start().minusSeconds(1)).end()).isEqualTo(p.start());
    }

    private static Subscription sub(Instant start, Instant end, Subscription.Phase... phases) {
        return new Subscription("sub_1", "cus_1", start, end, BillingCycle.CALENDAR_MONTH, null, List.of(phases));
    }

    @Test
    void theLatestPhaseAtAnInstantIsInForceAndPeriodsAreCutToTheSubscription() {
        Instant start = t("2026-11-10T08:00:00Z");
        Subscription s = sub(start, t("2027-02-15T00:00:00Z"), new Subscription.Phase(start, "pro", 1, Subscription.Reason.START, null))
                .withPhase(new Subscription.Phase(t("2026-12-20T00:00:00Z"), "pro", 2, Subscription.Reason.MIGRATION, "mig_1"));
        assertThat(s.phaseAt(t("2026-11-09T00:00:00Z"))).isEmpty();
        assertThat(s.phaseAt(start).orElseThrow().planVersion()).isEqualTo(1);
        assertThat(s.phaseAt(t("2026-12-19T23:59:59Z")).orElseThrow().planVersion()).isEqualTo(1);
        assertThat(s.phaseAt(t("2026-12-20T00:00:00Z")).orElseThrow().planVersion()).isEqualTo(2);
        assertThat(s.phaseAt(t("2027-02-15T00:00:00Z"))).isEmpty();
        assertThat(s.periodAt(t("2026-11-20T00:00:00Z")).orElseThrow())
                .isEqualTo(new BillingPeriod(start, t("2026-12-01T00:00:00Z")));
        assertThat(s.periodAt(t("2027-02-01T00:00:00Z")).orElseThrow())
                .isEqualTo(new BillingPeriod(t("2027-02-01T00:00:00Z"), t("2027-02-15T00:00:00Z")));
    }

    @Test
    void impossibleSubscriptionsNameTheirField() {
        Instant start = t("2026-11-10T00:00:00Z");
        Subscription.Phase p = new Subscription.Phase(start, "pro", 1, Subscription.Reason.START, null);
        assertThatThrownBy(() -> sub(start, start, p)).isInstanceOfSatisfying(InvalidSubscriptionException.class,
                e -> assertThat(e.field()).isEqualTo("end"));
        assertThatThrownBy(() -> sub(start, null, new Subscription.Phase(start.plusSeconds(1), "pro", 1, Subscription.Reason.START, null)))
                .isInstanceOfSatisfying(InvalidSubscriptionException.class, e -> assertThat(e.field()).isEqualTo("phases[0].effectiveAt"));
        assertThatThrownBy(() -> sub(start, t("2026-12-01T00:00:00Z"), p)
                .withPhase(new Subscription.Phase(t("2026-12-01T00:00:00Z"), "pro", 2, Subscription.Reason.CHANGE, null)))
                .isInstanceOfSatisfying(InvalidSubscriptionException.class, e -> assertThat(e.field()).isEqualTo("effectiveAt"));
        assertThatThrownBy(() -> BillingCycle.monthly(32)).isInstanceOfSatisfying(InvalidSubscriptionException.class,
                e -> assertThat(e.field()).isEqualTo("anchorDay"));
    }

    @Test
    void overlapIsAnyInstantActiveInBoth() {
        Instant a = t("2026-01-01T00:00:00Z");
        Instant b = t("2026-02-01T00:00:00Z");
        Subscription first = sub(a, b, new Subscription.Phase(a, "p", 1, Subscription.Reason.START, null));
        Subscription next = sub(b, null, new Subscription.Phase(b, "p", 1, Subscription.Reason.START, null));
        Subscription early = sub(a.minusSeconds(60), null, new Subscription.Phase(a.minusSeconds(60), "p", 1, Subscription.Reason.START, null));
        assertThat(first.overlaps(next)).isFalse();
        assertThat(next.overlaps(first)).isFalse();
        assertThat(early.overlaps(first)).isTrue();
        assertThat(early.overlaps(next)).isTrue();
    }
}
