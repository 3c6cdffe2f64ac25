package dev.tally.admin.portal;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Currency;
import java.util.Locale;

/**
 * Numbers, amounts and dates as the customer's locale writes them (en, de). Amounts arrive as the exact decimal strings
 * the services answer, already rounded to the currency's minor units; they are only written here, never rounded again:
 * an amount with more decimals than the currency has keeps them.
 */
public final class PortalFormat {
    private final Locale locale;

    public PortalFormat(String lang) {
        this.locale = "de".equals(lang) ? Locale.GERMANY : Locale.US;
    }

    public String lang() {
        return locale.getLanguage();
    }

    /** {@code 1234.5}, {@code USD} → {@code $1,234.50} (en) or {@code 1.234,50 $} (de). */
    public String money(String amount, String currency) {
        if (amount == null || amount.isBlank()) {
            return "";
        }
        BigDecimal v = new BigDecimal(amount);
        NumberFormat f = NumberFormat.getCurrencyInstance(locale);
        try {
            Currency c = Currency.getInstance(currency);
            f.setCurrency(c);
            int digits = Math.max(Math.max(0, c.getDefaultFractionDigits()), v.stripTrailingZeros().scale());
            f.setMinimumFractionDigits(digits);
            f.setMaximumFractionDigits(digits);
        } catch (IllegalArgumentException | NullPointerException e) {
            return number(amount) + " " + (currency == null ? "" : currency);
        }
        return f.format(v);
    }

    /** An exact quantity with the locale's separators, every decimal kept. */
    public String number(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            return "";
        }
        BigDecimal v = new BigDecimal(quantity);
        DecimalFormat f = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(locale));
        f.setMaximumFractionDigits(Math.max(0, v.stripTrailingZeros().scale()));
        f.setParseBigDecimal(true);
        return f.format(v);
    }

    /** An instant's UTC date: {@code Nov 1, 2026} (en), {@code 01.11.2026} (de). */
    public String date(String instant) {
        if (instant == null || instant.isBlank()) {
            return "";
        }
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale).format(Instant.parse(instant).atOffset(ZoneOffset.UTC));
    }

    /** The day before an exclusive end instant: a period [Nov 1, Dec 1) is shown as Nov 1 – Nov 30. */
    public String lastDay(String exclusiveEnd) {
        if (exclusiveEnd == null || exclusiveEnd.isBlank()) {
            return "";
        }
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale)
                .format(Instant.parse(exclusiveEnd).minusSeconds(1).atOffset(ZoneOffset.UTC));
    }
}
