package dev.tally.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Scale;

class PricingPropertiesTest {

    @Provide
    Arbitrary<List<Tier>> tiers() {
        Arbitrary<BigDecimal> price = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5")).ofScale(6);
        Arbitrary<BigDecimal> fee = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("50")).ofScale(2);
        Arbitrary<BigDecimal> width = Arbitraries.bigDecimals().between(BigDecimal.ONE, new BigDecimal("100000")).ofScale(0);
        return Combinators.combine(price.list().ofMinSize(1).ofMaxSize(6), fee.list().ofSize(6), width.list().ofSize(6))
                .as((prices, fees, widths) -> {
                    List<Tier> out = new ArrayList<>();
                    BigDecimal bound = BigDecimal.ZERO;
                    for (int i = 0; i < prices.size(); i++) {
                        boolean last = i == prices.size() - 1;
                        bound = bound.add(widths.get(i));
                        out.add(new Tier(last ? null : bound, prices.get(i), fees.get(i)));
                    }
                    return out;
                });
    }

    @Provide
    Arbitrary<BigDecimal> quantities() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1000000")).ofScale(3);
    }

    @Property
    void graduatedTotalNeverDecreasesAsQuantityGrows(@ForAll("tiers") List<Tier> tiers, @ForAll("quantities") BigDecimal a,
            @ForAll("quantities") BigDecimal b) {
        GraduatedPrice price = new GraduatedPrice(tiers);
        BigDecimal low = a.min(b);
        BigDecimal high = a.max(b);
        assertThat(price.evaluate(low, "USD").amount()).isLessThanOrEqualTo(price.evaluate(high, "USD").amount());
    }

    @Property
    void volumeAndGraduatedAgreeWithinTheFirstTier(@ForAll("tiers") List<Tier> tiers, @ForAll("quantities") BigDecimal q) {
        BigDecimal firstBound = tiers.get(0).upTo();
        BigDecimal inFirst = firstBound == null ? q : q.min(firstBound);
        assertThat(new VolumePrice(tiers).evaluate(inFirst, "USD").amount())
                .isEqualByComparingTo(new GraduatedPrice(tiers).evaluate(inFirst, "USD").amount());
    }

    @Property
    void graduatedEqualsTheSumOfItsSlices(@ForAll("tiers") List<Tier> tiers, @ForAll("quantities") BigDecimal q) {
        // independent recomputation: price every unit-slice by the tier that contains it
        BigDecimal expected = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (Tier t : tiers) {
            if (q.compareTo(lower) <= 0) {
                break;
            }
            BigDecimal upper = t.upTo() == null ? q : q.min(t.upTo());
            expected = expected.add(upper.subtract(lower).multiply(t.unitPrice())).add(t.flatFee());
            if (t.upTo() == null) {
                break;
            }
            lower = t.upTo();
        }
        Evaluation e = new GraduatedPrice(tiers).evaluate(q, "USD");
        assertThat(e.amount()).isEqualByComparingTo(expected);
        assertThat(e.steps().stream().map(Evaluation.Step::amount).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(e.amount());
    }

    @Property
    void packagesAreNeverFewerThanNeededNorOneMore(@ForAll @BigRange(min = "0", max = "100000") @Scale(2) BigDecimal q,
            @ForAll @BigRange(min = "0.5", max = "1000") @Scale(1) BigDecimal size) {
        Evaluation e = new PackagePrice(size, BigDecimal.ONE).evaluate(q, "USD");
        BigDecimal packages = e.amount();
        assertThat(packages.multiply(size)).isGreaterThanOrEqualTo(q);
        assertThat(packages.subtract(BigDecimal.ONE).multiply(size)).isLessThan(q.signum() == 0 ? BigDecimal.ONE : q);
    }

    @Property
    void percentageFoldingIsOrderIndependent(@ForAll @net.jqwik.api.constraints.Size(max = 20) List<@BigRange(min = "0", max = "10000") @Scale(2) BigDecimal> values) {
        PercentagePrice price = new PercentagePrice(new BigDecimal("2.9"), new BigDecimal("0.30"), new BigDecimal("0.50"), new BigDecimal("25"));
        ChargeInput.Transactions forward = ChargeInput.Transactions.NONE;
        for (BigDecimal v : values) {
            forward = price.accumulate(forward, v);
        }
        ChargeInput.Transactions backward = ChargeInput.Transactions.NONE;
        for (int i = values.size() - 1; i >= 0; i--) {
            backward = price.accumulate(backward, values.get(i));
        }
        BigDecimal naive = BigDecimal.ZERO;
        for (BigDecimal v : values) {
            naive = naive.add(price.rawFee(v).max(new BigDecimal("0.50")).min(new BigDecimal("25")));
        }
        assertThat(price.evaluate(forward, "USD").amount()).isEqualByComparingTo(price.evaluate(backward, "USD").amount())
                .isEqualByComparingTo(naive);
    }

    @Property
    void roundingMovesALineByAtMostHalfAMinorUnitInEveryCurrencyScale(@ForAll @BigRange(min = "0", max = "1000000000") @Scale(9) BigDecimal exact,
            @ForAll("currencies") String currency) {
        Money m = RoundingPolicy.DEFAULT.toMoney(exact, currency);
        int scale = Currency.getInstance(currency).getDefaultFractionDigits();
        assertThat(m.amount().scale()).isEqualTo(scale);
        BigDecimal halfUnit = BigDecimal.ONE.movePointLeft(scale).divide(BigDecimal.valueOf(2), scale + 1, RoundingMode.UNNECESSARY);
        assertThat(m.amount().subtract(exact).abs()).isLessThanOrEqualTo(halfUnit);
    }

    @Provide
    Arbitrary<String> currencies() {
        return Arbitraries.of("JPY", "KRW", "USD", "EUR", "KWD", "BHD");
    }
}
