package dev.tally.model.tax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Tax with one rounding: examples, and properties over amounts and rates. */
class TaxesTest {
    private static final TaxRate VAT_DE = new TaxRate("DE", "VAT", new BigDecimal("19"), false);
    private static final TaxRate VAT_UK = new TaxRate("UK", "VAT", new BigDecimal("20"), true);

    @Test
    void exclusiveComesOnTopInclusiveIsThePartOfTheAmountThatIsTax() {
        Taxes.Applied de = Taxes.apply(Money.of(new BigDecimal("10.00"), "EUR"), VAT_DE, RoundingPolicy.DEFAULT);
        assertThat(de.tax().amount()).isEqualByComparingTo("1.90");
        assertThat(de.gross().amount()).isEqualByComparingTo("11.90");
        assertThat(de.explanation()).isEqualTo("VAT 19 % on EUR 10.00 = EUR 1.90");
        Taxes.Applied uk = Taxes.apply(Money.of(new BigDecimal("12.00"), "GBP"), VAT_UK, RoundingPolicy.DEFAULT);
        assertThat(uk.net().amount()).isEqualByComparingTo("10.00");
        assertThat(uk.tax().amount()).isEqualByComparingTo("2.00");
        assertThat(uk.gross().amount()).isEqualByComparingTo("12.00");
        // 0.05 × 19 % = 0.0095 → 0.01 (HALF_EVEN at the minor unit); JPY has none: 999 × 10 % = 99.9 → 100
        assertThat(Taxes.apply(Money.of(new BigDecimal("0.05"), "EUR"), VAT_DE, RoundingPolicy.DEFAULT).tax().amount())
                .isEqualByComparingTo("0.01");
        assertThat(Taxes.apply(Money.of(new BigDecimal("999"), "JPY"), new TaxRate("JP", "JCT", BigDecimal.TEN, false),
                RoundingPolicy.DEFAULT).tax().amount()).isEqualByComparingTo("100");
    }

    @Test
    void ratesAreCheckedPercentages() {
        assertThatThrownBy(() -> new TaxRate("X", "T", new BigDecimal("-1"), false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaxRate("X", "T", new BigDecimal("100.5"), false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaxRate("X", "T", new BigDecimal("7.12345"), false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new TaxRate("X", "T", new BigDecimal("7.1250"), false).ratePercent()).isEqualByComparingTo("7.125");
    }

    @Property
    void netPlusTaxIsGrossAndTheTaxIsWithinHalfAMinorUnitOfExact(@ForAll @LongRange(min = -10_000_000, max = 10_000_000) long cents,
            @ForAll @IntRange(min = 0, max = 1_000_000) int rateTenThousandths, @ForAll boolean inclusive) {
        BigDecimal rate = BigDecimal.valueOf(rateTenThousandths, 4);
        Money amount = Money.of(BigDecimal.valueOf(cents, 2), "USD");
        Taxes.Applied a = Taxes.apply(amount, new TaxRate("R", "T", rate, inclusive), RoundingPolicy.DEFAULT);
        assertThat(a.net().plus(a.tax())).isEqualTo(a.gross());
        assertThat(inclusive ? a.gross() : a.net()).isEqualTo(amount);
        assertThat(a.tax().amount().scale()).isEqualTo(2);
        // exact tax: net × rate (exclusive), gross × rate / (100 + rate) (inclusive)
        BigDecimal exact = inclusive
                ? amount.amount().multiply(rate).divide(BigDecimal.valueOf(100).add(rate), 20, RoundingMode.HALF_EVEN)
                : amount.amount().multiply(rate).movePointLeft(2);
        assertThat(a.tax().amount().subtract(exact).abs()).isLessThanOrEqualTo(new BigDecimal("0.005"));
        assertThat(a.tax().amount().signum() * amount.amount().signum()).isGreaterThanOrEqualTo(0);
    }
}
