package dev.tally.model.pricing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Invalid price definitions are refused at construction, naming the offending field. */
class PriceValidationTest {
    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    @Test
    void everyInvalidDefinitionNamesItsField() {
        record Case(Runnable build, String field) {
        }
        List<Case> cases = List.of(
                new Case(() -> new PerUnitPrice(d("-0.01")), "unitPrice"),
                new Case(() -> new PerUnitPrice(d("0.0000000000001")), "unitPrice"),
                new Case(() -> new PackagePrice(d("0"), d("5")), "packageSize"),
                new Case(() -> new GraduatedPrice(List.of()), "tiers"),
                new Case(() -> new GraduatedPrice(List.of(Tier.upTo("100", "1"), Tier.upTo("50", "1"), Tier.rest("1"))), "tiers[1].upTo"),
                new Case(() -> new GraduatedPrice(List.of(Tier.upTo("100", "1"), Tier.upTo("100", "1"), Tier.rest("1"))), "tiers[1].upTo"),
                new Case(() -> new VolumePrice(List.of(Tier.upTo("100", "1"), Tier.upTo("200", "1"))), "tiers[1].upTo"),
                new Case(() -> new VolumePrice(List.of(Tier.rest("1"), Tier.rest("2"))), "tiers[0].upTo"),
                new Case(() -> Tier.upTo("10", "-1"), "unitPrice"),
                new Case(() -> PercentagePrice.of("100.5"), "ratePercent"),
                new Case(() -> PercentagePrice.of("-1"), "ratePercent"),
                new Case(() -> new PercentagePrice(d("1"), null, d("5"), d("1")), "minimumFee"),
                new Case(() -> new MatrixPrice(List.of("region"), Map.of(), null), "default"),
                new Case(() -> new MatrixPrice(List.of("region"), Map.of(Map.of("zone", "x"), new PerUnitPrice(d("1"))),
                        new PerUnitPrice(d("1"))), "entries.{zone=x}"),
                new Case(() -> new ChargeCaps(new PerUnitPrice(d("1")), d("10"), d("5")), "minimum"),
                new Case(() -> new FreeAllowance(d("-1"), new PerUnitPrice(d("1"))), "freeUnits"));
        for (Case c : cases) {
            assertThatThrownBy(c.build()::run).isInstanceOf(InvalidPriceException.class)
                    .satisfies(e -> Assertions.assertThat(((InvalidPriceException) e).field()).isEqualTo(c.field()));
        }
    }

    @Test
    void aModelGivenTheWrongKindOfUsageSaysSo() {
        assertThatThrownBy(() -> PercentagePrice.of("1").evaluate(d("10"), "USD")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transactions");
        assertThatThrownBy(() -> new ChargeInput.Quantity(d("-1"))).isInstanceOf(IllegalArgumentException.class);
    }
}
