package dev.tally.model.invoice;

import dev.tally.model.pricing.ChargeInput;
import dev.tally.model.pricing.PriceModel;
import java.math.BigDecimal;

/** One plan charge with the usage it prices in the period. */
public record ChargeUsage(String meterKey, String description, PriceModel price, ChargeInput input, long eventCount) {
    /** A charge on a plain quantity. */
    public ChargeUsage(String meterKey, String description, PriceModel price, BigDecimal quantity, long eventCount) {
        this(meterKey, description, price, new ChargeInput.Quantity(quantity), eventCount);
    }
}
