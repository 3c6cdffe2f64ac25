package dev.tally.model.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.plan.PlanSpec.ChargeSpec;
import dev.tally.model.plan.PlanSpec.MatrixEntrySpec;
import dev.tally.model.plan.PlanSpec.PriceSpec;
import dev.tally.model.plan.PlanSpec.TierSpec;
import dev.tally.model.pricing.ChargeCaps;
import dev.tally.model.pricing.FreeAllowance;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanValidatorTest {
    private static BigDecimal d(String s) {
        return s == null ? null : new BigDecimal(s);
    }

    private static PriceSpec tiered(String model, TierSpec... tiers) {
        return new PriceSpec(model, null, null, null, List.of(tiers), null, null, null, null, null, null, null, null, null, null);
    }

    private static PriceSpec percentage(String rate) {
        return new PriceSpec("percentage", null, null, null, null, d(rate), d("0.30"), null, null, null, null, null, null, null, null);
    }

    private static PriceSpec matrix(PriceSpec defaultPrice) {
        return new PriceSpec("matrix", null, null, null, null, null, null, null, null, List.of("region"),
                List.of(new MatrixEntrySpec(Map.of("region", "eu"), PriceSpec.perUnit("0.10"))), defaultPrice, null, null, null);
    }

    private static PlanSpec plan(String currency, ChargeSpec... charges) {
        return PlanSpec.of(1, "gateway", "Gateway", currency, List.of(charges));
    }

    @Test
    void aValidPlanBuildsEveryModelWithItsWrappers() {
        PriceSpec bandwidth = new PriceSpec("graduated", null, null, null,
                List.of(new TierSpec(d("1000"), d("0.10"), null), new TierSpec(null, d("0.05"), d("5"))),
                null, null, null, null, null, null, null, d("100"), d("1"), d("500"));
        var result = PlanValidator.validate(plan("USD",
                new ChargeSpec("bandwidth", "Bandwidth", bandwidth),
                new ChargeSpec("payments", "Payments", percentage("2.9")),
                new ChargeSpec("compute", "Compute", matrix(PriceSpec.perUnit("0.12")))));
        assertThat(result.problems()).isEmpty();
        assertThat(result.prices()).containsOnlyKeys("bandwidth", "payments", "compute");
        assertThat(result.prices().get("bandwidth")).isInstanceOf(ChargeCaps.class);
        assertThat(((ChargeCaps) result.prices().get("bandwidth")).inner()).isInstanceOf(FreeAllowance.class);
        // 1,100 units: 100 free, then 1,000 × 0.10 = 100 → within caps
        assertThat(result.prices().get("bandwidth").evaluate(d("1100"), "USD").amount()).isEqualByComparingTo("100");
    }

    @Test
    void termsAreCheckedFieldByField() {
        ChargeSpec c = new ChargeSpec("bytes", null, PriceSpec.perUnit("0.01"));
        var bad = new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", null, new BigDecimal("10.001")),
                new PlanSpec.FixedFeeSpec("platform", null, new BigDecimal("1")), new PlanSpec.FixedFeeSpec("Bad Key", null, BigDecimal.ONE)),
                List.of(new PlanSpec.DiscountSpec("launch", "percent", new BigDecimal("101"), 1), new PlanSpec.DiscountSpec("launch", "amount",
                        new BigDecimal("-1"), -1), new PlanSpec.DiscountSpec("x", "bogo", BigDecimal.ONE, null)), BigDecimal.ZERO);
        var result = PlanValidator.validate(new PlanSpec(1, "gateway", "Gateway", "USD", List.of(c), bad));
        assertThat(result.problems()).extracting(PlanValidator.Problem::field).containsExactly("terms.fixedFees[0].amount",
                "terms.fixedFees[1].key", "terms.fixedFees[2].key", "terms.discounts[0].value", "terms.discounts[1].name",
                "terms.discounts[1].value", "terms.discounts[1].periods", "terms.discounts[2].kind", "terms.minimumCommitment");
        var good = new PlanSpec.TermsSpec(List.of(new PlanSpec.FixedFeeSpec("platform", "Platform", new BigDecimal("10.00"))),
                List.of(new PlanSpec.DiscountSpec("launch", "percent", new BigDecimal("12.5"), 3)), new BigDecimal("50"));
        assertThat(PlanValidator.validate(new PlanSpec(1, "gateway", "Gateway", "USD", List.of(c), good)).valid()).isTrue();
    }

    @Test
    void everyProblemIsReportedWithItsPath() {
        var result = PlanValidator.validate(PlanSpec.of(2, "Bad Key", " ", "XYZ", List.of(
                new ChargeSpec("a", null, tiered("graduated", new TierSpec(d("100"), d("1"), null), new TierSpec(d("50"), d("1"), null),
                        new TierSpec(null, d("1"), null))),
                new ChargeSpec("b", null, tiered("volume", new TierSpec(d("100"), d("1"), null), new TierSpec(d("200"), d("1"), null))),
                new ChargeSpec("c", null, PriceSpec.perUnit("-1")),
                new ChargeSpec("d", null, matrix(null)),
                new ChargeSpec("e", null, percentage("101")),
                new ChargeSpec("e", null, percentage("1")),
                new ChargeSpec("f", null, tiered("stairs")))));
        assertThat(result.valid()).isFalse();
        assertThat(result.problems()).extracting(PlanValidator.Problem::field).containsExactly(
                "schemaVersion", "key", "name", "currency",
                "charges[0].price.tiers[1].upTo",
                "charges[1].price.tiers[1].upTo",
                "charges[2].price.unitPrice",
                "charges[3].price.defaultPrice",
                "charges[4].price.ratePercent",
                "charges[5].meter",
                "charges[6].price.model");
        assertThat(result.problems().get(3).code()).isEqualTo("unknown_currency");
        assertThat(result.problems().get(7).code()).isEqualTo("missing_default");
        assertThat(result.prices()).isEmpty();
    }

    @Test
    void theSchemaDocumentShipsWithTheModel() throws Exception {
        try (var in = PlanSpec.class.getResourceAsStream("plan-v1.schema.json")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"schemaVersion\": {\"const\": 1}");
        }
    }
}
