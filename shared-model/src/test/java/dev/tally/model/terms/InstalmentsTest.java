package dev.tally.model.terms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

/** A prepaid commitment's instalments add up to its price exactly. */
class InstalmentsTest {
    private static final Instant START = Instant.parse("2027-01-01T00:00:00Z");

    /** A Metronome-style annual commitment: USD 120,000 for 2027 in four quarterly instalments of 30,000. */
    @Example
    void anAnnualCommitmentInQuarters() {
        List<Instalments.Instalment> q = Instalments.split(Money.of(new BigDecimal("120000"), "USD"), 4, START,
                Instant.parse("2028-01-01T00:00:00Z"));
        assertThat(q).extracting(i -> i.amount().amount().toPlainString()).containsExactly("30000.00", "30000.00", "30000.00", "30000.00");
        assertThat(q.get(0).dueAt()).isEqualTo(START);
        assertThat(q.get(1).dueAt()).isEqualTo(Instant.parse("2027-04-02T06:00:00Z")); // a quarter of 365 days
        // 100.00 in three: 33.33, 33.33, 33.34
        assertThat(Instalments.split(Money.of(new BigDecimal("100"), "USD"), 3, START, START.plusSeconds(90L * 86_400)))
                .extracting(i -> i.amount().amount().toPlainString()).containsExactly("33.33", "33.33", "33.34");
    }

    @Property(tries = 500)
    void theInstalmentsAddUpToThePriceAndComeInOrderWithinTheTerm(@ForAll @BigRange(min = "0.01", max = "10000000") @Scale(2) BigDecimal price,
            @ForAll @IntRange(min = 1, max = 36) int n, @ForAll @LongRange(min = 86_400, max = 3L * 366 * 86_400) long termSeconds) {
        Instant end = START.plusSeconds(termSeconds);
        List<Instalments.Instalment> all = Instalments.split(Money.of(price, "USD"), n, START, end);
        assertThat(all).hasSize(n);
        Money sum = Money.zero("USD");
        for (int i = 0; i < n; i++) {
            Instalments.Instalment x = all.get(i);
            assertThat(x.seq()).isEqualTo(i + 1);
            assertThat(x.amount().amount().signum()).isGreaterThanOrEqualTo(0);
            assertThat(x.dueAt()).isBetween(START, end);
            if (i > 0) {
                assertThat(x.dueAt()).isAfterOrEqualTo(all.get(i - 1).dueAt());
            }
            sum = sum.plus(x.amount());
        }
        assertThat(sum.amount()).isEqualByComparingTo(price);
    }
}
