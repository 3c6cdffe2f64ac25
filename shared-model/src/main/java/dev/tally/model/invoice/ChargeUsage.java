package dev.tally.model.invoice;

import dev.tally.model.pricing.PriceModel;
import java.math.BigDecimal;

/** One plan charge with the usage it prices: the quantity of its meter in the period. */
public record ChargeUsage(String meterKey, String description, PriceModel price, BigDecimal quantity, long eventCount) {
}
