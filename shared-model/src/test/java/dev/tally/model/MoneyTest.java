package dev.tally.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.model.money.CurrencyMismatchException;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.money.UnknownCurrencyException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void moneyCarriesTheCurrencyMinorUnitScale() {
        assertThat(Money.of(new BigDecimal("5"), "USD").amount()).isEqualTo(new BigDecimal("5.00"));
        assertThat(Money.of(new BigDecimal("5"), "JPY").amount()).isEqualTo(new BigDecimal("5"));
        assertThat(Money.of(new BigDecimal("5"), "KWD").amount()).isEqualTo(new BigDecimal("5.000"));
    }

    @Test
    void ofNeverRoundsSilently() {
        assertThatThrownBy(() -> Money.of(new BigDecimal("1.005"), "USD")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Money.of(new BigDecimal("1.5"), "JPY")).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void mixingCurrenciesThrows() {
        assertThatThrownBy(() -> Money.zero("USD").plus(Money.zero("EUR"))).isInstanceOf(CurrencyMismatchException.class);
    }

    @Test
    void unknownCurrencyIsRefused() {
        assertThatThrownBy(() -> Money.zero("XYZ")).isInstanceOf(UnknownCurrencyException.class);
        assertThatThrownBy(() -> Money.zero("XAU")).isInstanceOf(UnknownCurrencyException.class);
    }

    @Test
    void defaultRoundingIsHalfEvenAtTheLine() {
        assertThat(RoundingPolicy.DEFAULT.toMoney(new BigDecimal("0.125"), "USD").amount()).isEqualTo(new BigDecimal("0.12"));
        assertThat(RoundingPolicy.DEFAULT.toMoney(new BigDecimal("0.135"), "USD").amount()).isEqualTo(new BigDecimal("0.14"));
        assertThat(new RoundingPolicy(RoundingMode.HALF_UP).toMoney(new BigDecimal("0.125"), "USD").amount())
                .isEqualTo(new BigDecimal("0.13"));
    }

    @Test
    void equalsAgreesWithCompareTo() {
        Money a = Money.of(new BigDecimal("1.1"), "USD");
        Money b = Money.of(new BigDecimal("1.10"), "USD");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.compareTo(b)).isZero();
    }
}
