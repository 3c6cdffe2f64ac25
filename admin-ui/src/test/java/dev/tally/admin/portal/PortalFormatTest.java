package dev.tally.admin.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The portal writes the services' exact figures in the customer's locale, never rounding them again. */
class PortalFormatTest {
    private final PortalFormat en = new PortalFormat("en");
    private final PortalFormat de = new PortalFormat("de");

    @Test
    void amountsInTheLocaleWithTheCurrencysMinorUnits() {
        assertThat(en.money("1234.50", "USD")).isEqualTo("$1,234.50");
        assertThat(de.money("1234.50", "EUR")).isEqualTo("1.234,50\u00a0€");
        assertThat(en.money("1500", "JPY")).isEqualTo("¥1,500");
        assertThat(en.money("-2.00", "USD")).isEqualTo("-$2.00");
        // an exact amount with more decimals than the currency has (a unit price) keeps them: written, never rounded
        assertThat(en.money("0.00000000009", "USD")).isEqualTo("$0.00000000009");
    }

    @Test
    void quantitiesKeepEveryDecimal() {
        assertThat(en.number("52428800")).isEqualTo("52,428,800");
        assertThat(de.number("52428800")).isEqualTo("52.428.800");
        assertThat(en.number("2500.125")).isEqualTo("2,500.125");
        assertThat(de.number("2500.125")).isEqualTo("2.500,125");
    }

    @Test
    void periodsEndTheDayBeforeTheirExclusiveEnd() {
        assertThat(en.date("2026-11-01T00:00:00Z")).isEqualTo("Nov 1, 2026");
        assertThat(en.lastDay("2026-12-01T00:00:00Z")).isEqualTo("Nov 30, 2026");
        assertThat(de.lastDay("2026-12-01T00:00:00Z")).isEqualTo("30.11.2026");
    }
}
