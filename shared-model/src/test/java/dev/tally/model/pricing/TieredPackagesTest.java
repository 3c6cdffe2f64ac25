package dev.tally.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

/** Packages inside graduated tiers ("tiered package"): each tier's slice costs the packages it starts. */
class TieredPackagesTest {

    /** Tiers whose bounds are whole packages of the tier's size (sizes 1–5 units × a common step). */
    @Provide
    Arbitrary<List<Tier>> packagedTiers() {
        Arbitrary<BigDecimal> price = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("50")).ofScale(2);
        Arbitrary<Integer> widthInSteps = Arbitraries.integers().between(1, 20);
        return Combinators.combine(price.list().ofMinSize(1).ofMaxSize(5), widthInSteps.list().ofSize(5), Arbitraries.of(1, 10, 100, 1000))
                .as((prices, widths, step) -> {
                    List<Tier> out = new ArrayList<>();
                    BigDecimal bound = BigDecimal.ZERO;
                    BigDecimal size = BigDecimal.valueOf(step);
                    for (int i = 0; i < prices.size(); i++) {
                        boolean last = i == prices.size() - 1;
                        bound = bound.add(size.multiply(BigDecimal.valueOf(widths.get(i))));
                        out.add(new Tier(last ? null : bound, prices.get(i), null, size));
                    }
                    return out;
                });
    }

    @Property(tries = 500)
    void eachTiersSliceCostsThePackagesItStarts(@ForAll("packagedTiers") List<Tier> tiers,
            @ForAll @BigRange(min = "0", max = "200000") @Scale(2) BigDecimal q) {
        BigDecimal expected = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (Tier t : tiers) {
            if (q.compareTo(lower) <= 0) {
                break;
            }
            BigDecimal upper = t.upTo() == null ? q : q.min(t.upTo());
            // count the started packages unit range by unit range, independently of the price model's division
            BigDecimal packages = BigDecimal.ZERO;
            for (BigDecimal from = lower; from.compareTo(upper) < 0; from = from.add(t.packageSize())) {
                packages = packages.add(BigDecimal.ONE);
            }
            expected = expected.add(packages.multiply(t.unitPrice()));
            if (t.upTo() == null) {
                break;
            }
            lower = t.upTo();
        }
        assertThat(new GraduatedPrice(tiers).evaluate(q, "USD").amount()).isEqualByComparingTo(expected);
    }

    @Property(tries = 300)
    void packagesOfOneUnitPriceWholeQuantitiesAsPlainGraduatedTiers(@ForAll("packagedTiers") List<Tier> tiers,
            @ForAll @BigRange(min = "0", max = "200000") @Scale(0) BigDecimal q) {
        List<Tier> perUnit = tiers.stream().map(t -> new Tier(t.upTo(), t.unitPrice(), t.flatFee())).toList();
        List<Tier> ofOne = tiers.stream().map(t -> new Tier(t.upTo(), t.unitPrice(), t.flatFee(), BigDecimal.ONE)).toList();
        assertThat(new GraduatedPrice(ofOne).evaluate(q, "USD").amount()).isEqualByComparingTo(new GraduatedPrice(perUnit).evaluate(q, "USD").amount());
    }

    @Property(tries = 300)
    void oneUnboundedPackagedTierIsThePackagePrice(@ForAll @BigRange(min = "1", max = "5000") @Scale(0) BigDecimal size,
            @ForAll @BigRange(min = "0", max = "100") @Scale(2) BigDecimal price, @ForAll @BigRange(min = "0", max = "1000000") @Scale(3) BigDecimal q) {
        assertThat(new GraduatedPrice(List.of(new Tier(null, price, null, size))).evaluate(q, "USD").amount())
                .isEqualByComparingTo(new PackagePrice(size, price).evaluate(q, "USD").amount());
    }

    /**
     * Worked example (the shape of Orb's "tiered package"): the first 100 GB free, then USD 5 per started 100 GB up to
     * 1,000 GB, then USD 4 per started 100 GB. 1,234 GB = 100 free + 900 GB (9 packages × 5 = 45) + 234 GB (3 packages,
     * the last partial, × 4 = 12) = USD 57.
     */
    @Test
    void workedExample() {
        GraduatedPrice p = new GraduatedPrice(List.of(Tier.upTo("100", "0"), Tier.upTo("1000", "5").inPackagesOf("100"),
                Tier.rest("4").inPackagesOf("100")));
        Evaluation e = p.evaluate(new BigDecimal("1234"), "USD");
        assertThat(e.amount()).isEqualByComparingTo("57");
        assertThat(e.steps().get(1).text()).isEqualTo("tier 2 (100–1000): 900 in packages of 100 = 9 packages × USD 5 = USD 45");
        assertThat(e.steps().get(2).text()).isEqualTo("tier 3 (above 1000): 234 in packages of 100 = 3 packages × USD 4 = USD 12");
        // a package may not straddle two tiers
        assertThatThrownBy(() -> new GraduatedPrice(List.of(Tier.upTo("10", "0"), Tier.upTo("1000", "5").inPackagesOf("100"), Tier.rest("4"))))
                .isInstanceOf(InvalidPriceException.class).hasMessageContaining("must be whole packages of 100");
    }

    @Test
    void onlyGraduatedTiersComeInPackages() {
        List<Tier> tiers = List.of(Tier.upTo("100", "1").inPackagesOf("10"), Tier.rest("0.5"));
        assertThatThrownBy(() -> new VolumePrice(tiers)).isInstanceOf(InvalidPriceException.class)
                .hasMessageContaining("only graduated tiers are sold in packages");
        assertThatThrownBy(() -> new GraduatedPercentagePrice(tiers)).isInstanceOf(InvalidPriceException.class);
        assertThatThrownBy(() -> Tier.rest("1").inPackagesOf("0")).isInstanceOf(InvalidPriceException.class);
    }
}
