package dev.tally.model.metering.agg;

import java.math.BigDecimal;

/**
 * The text of an event property as filters, group keys and unique counts compare it: a string as sent, a
 * decimal in plain notation <em>with</em> its scale ({@code 1.0} stays "1.0", as it travels on Kafka), a
 * boolean as "true"/"false". Comparison is on this exact text, so "1" and "1.0" differ.
 */
final class PropertyText {
    private PropertyText() {
    }

    static String of(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }
}
