package dev.tally.model.plan;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A plan as a document (schema version 1). Field names are the JSON names. Decimals may be JSON
 * strings or numbers; adapters must read them as exact decimals.
 */
public record PlanSpec(Integer schemaVersion, String key, String name, String currency, List<ChargeSpec> charges, TermsSpec terms) {
    public static final int CURRENT_VERSION = 1;

    /** A plan with usage charges only. */
    public static PlanSpec of(Integer schemaVersion, String key, String name, String currency, List<ChargeSpec> charges) {
        return new PlanSpec(schemaVersion, key, name, currency, charges, null);
    }

    /** This plan under another key (its terms kept). */
    public PlanSpec withKey(String planKey) {
        return new PlanSpec(schemaVersion, planKey, name, currency, charges, terms);
    }

    /** This plan at another schema version (its terms kept). */
    public PlanSpec withSchemaVersion(int version) {
        return new PlanSpec(version, key, name, currency, charges, terms);
    }

    /**
     * The plan's commercial terms besides usage (all optional): fixed fees per period (prorated by seconds when
     * the plan is in force for part of a period), discounts applied in order on usage plus fixed fees (each for
     * the subscription's first {@code periods} periods, 0 or absent = every period), and a minimum commitment that
     * the period's total after discounts is trued up to.
     */
    public record TermsSpec(List<FixedFeeSpec> fixedFees, List<DiscountSpec> discounts, BigDecimal minimumCommitment) {
    }

    /** A fee per billing period, in the plan's currency. */
    public record FixedFeeSpec(String key, String description, BigDecimal amount) {
    }

    /** {@code kind}: percent (of what is left) or amount (off, never below zero). */
    public record DiscountSpec(String name, String kind, BigDecimal value, Integer periods) {
    }

    /** One charge: which meter it prices and how. */
    public record ChargeSpec(String meter, String description, PriceSpec price) {
    }

    /**
     * A price model by name ({@code model}: per_unit, package, graduated, volume, graduated_percentage, percentage, matrix),
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

    /**
     * {@code upTo} null (or absent) only on the last tier; {@code ratePercent} instead of {@code unitPrice} for
     * graduated_percentage; {@code packageSize} (graduated only): the tier is sold in packages, {@code unitPrice} per package.
     */
    public record TierSpec(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee, BigDecimal ratePercent, BigDecimal packageSize) {
        /** A tier with a unit price. */
        public TierSpec(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
            this(upTo, unitPrice, flatFee, null, null);
        }

        /** A tier with a unit price or a rate. */
        public TierSpec(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee, BigDecimal ratePercent) {
            this(upTo, unitPrice, flatFee, ratePercent, null);
        }
    }

    /** {@code match}: a value for each of the matrix's dimensions. */
    public record MatrixEntrySpec(Map<String, String> match, PriceSpec price) {
    }
}
