package dev.tally.model.plan;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A plan as a document (schema version 1). Field names are the JSON names. Decimals may be JSON
 * strings or numbers; adapters must read them as exact decimals.
 */
public record PlanSpec(Integer schemaVersion, String key, String name, String currency, List<ChargeSpec> charges) {
    public static final int CURRENT_VERSION = 1;

    /** One charge: which meter it prices and how. */
    public record ChargeSpec(String meter, String description, PriceSpec price) {
    }

    /**
     * A price model by name ({@code model}: per_unit, package, graduated, volume, percentage, matrix),
     * with the fields that model uses; optional wrappers: {@code freeUnits} (free allowance) and
     * {@code minimum}/{@code maximum} (per-charge caps).
     */
    public record PriceSpec(String model, BigDecimal unitPrice, BigDecimal packageSize, BigDecimal packagePrice, List<TierSpec> tiers,
            BigDecimal ratePercent, BigDecimal fixedFee, BigDecimal minimumFee, BigDecimal maximumFee, List<String> dimensions,
            List<MatrixEntrySpec> entries, PriceSpec defaultPrice, BigDecimal freeUnits, BigDecimal minimum, BigDecimal maximum) {

        public static PriceSpec perUnit(String unitPrice) {
            return new PriceSpec("per_unit", new BigDecimal(unitPrice), null, null, null, null, null, null, null, null, null, null, null,
                    null, null);
        }
    }

    /** {@code upTo} null (or absent) only on the last tier. */
    public record TierSpec(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
    }

    /** {@code match}: a value for each of the matrix's dimensions. */
    public record MatrixEntrySpec(Map<String, String> match, PriceSpec price) {
    }
}
