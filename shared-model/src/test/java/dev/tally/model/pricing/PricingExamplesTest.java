package dev.tally.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Worked examples from public pricing documentation, reproduced exactly. Each names its source. */
class PricingExamplesTest {
    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static final List<Tier> ZUPLO_TIERS = List.of(Tier.upTo("1000", "0.10"), Tier.upTo("10000", "0.05"), Tier.rest("0.01"));

    @Test
    void graduatedAndVolumeOnTheSameTiers_zuploPricingModels() {
        // zuplo.com/docs/articles/monetization/pricing-models: 15,000 units, graduated $600, volume $150
        Evaluation graduated = new GraduatedPrice(ZUPLO_TIERS).evaluate(d("15000"), "USD");
        assertThat(graduated.amount()).isEqualByComparingTo("600");
        assertThat(graduated.steps()).extracting(Evaluation.Step::text).containsExactly(
                "tier 1 (0–1000): 1000 × USD 0.1 = USD 100",
                "tier 2 (1000–10000): 9000 × USD 0.05 = USD 450",
                "tier 3 (above 10000): 5000 × USD 0.01 = USD 50");
        Evaluation volume = new VolumePrice(ZUPLO_TIERS).evaluate(d("15000"), "USD");
        assertThat(volume.amount()).isEqualByComparingTo("150");
        assertThat(volume.steps().get(0).text()).isEqualTo("tier 3 (above 10000) reached: all 15000 × USD 0.01 = USD 150");
    }

    @Test
    void graduatedApiCalls_autumnGraduatedPricing() {
        // docs.useautumn.com graduated-pricing: 15,000 requests = 1,000 × $0.01 + 9,000 × $0.008 + 5,000 × $0.005 = $107
        GraduatedPrice price = new GraduatedPrice(List.of(Tier.upTo("1000", "0.01"), Tier.upTo("10000", "0.008"), Tier.rest("0.005")));
        assertThat(price.evaluate(d("15000"), "USD").amount()).isEqualByComparingTo("107");
    }

    @Test
    void volumeTiersWithAFlatFee_lagoVolumeChargeModel() {
        // getlago.com/docs/guide/plans/charges/charge-models/volume: 65,000 calls = 65,000 × $0.0006 + $10 = $49
        VolumePrice price = new VolumePrice(List.of(
                Tier.upTo("10000", "0.0010").withFlatFee("10"), Tier.upTo("50000", "0.0008").withFlatFee("10"),
                Tier.upTo("100000", "0.0006").withFlatFee("10"), Tier.rest("0.0004").withFlatFee("10")));
        Evaluation e = price.evaluate(d("65000"), "USD");
        assertThat(e.amount()).isEqualByComparingTo("49");
        assertThat(e.steps()).hasSize(2);
        assertThat(e.steps().get(1).text()).isEqualTo("tier 3 flat fee: USD 10");
    }

    @Test
    void packagesWithFreeUnits_lagoPackageChargeModel() {
        // getlago.com/docs/guide/plans/charges/charge-models/package: $5 per 100 units, first 100 free: 201 units = $10
        FreeAllowance price = new FreeAllowance(d("100"), new PackagePrice(d("100"), d("5")));
        Evaluation e = price.evaluate(d("201"), "USD");
        assertThat(e.amount()).isEqualByComparingTo("10");
        assertThat(e.steps().get(1).text())
                .isEqualTo("101 units in packages of 100 = 2 packages (the last one partial, charged in full) × USD 5 = USD 10");
    }

    @Test
    void aStartedPackageCountsInFull_flexpriceTieredPackages() {
        // docs.flexprice.io tiered: 4,500 calls in packages of 1,000 at $1.00 = 5 packages = $5
        assertThat(new PackagePrice(d("1000"), d("1.00")).evaluate(d("4500"), "USD").amount()).isEqualByComparingTo("5");
        assertThat(new PackagePrice(d("1000"), d("1.00")).evaluate(d("0"), "USD").amount()).isEqualByComparingTo("0");
    }

    @Test
    void cardProcessingPercentagePlusFixedFee_lagoStripeTemplate() {
        // getlago.com/docs/templates/per-transaction/stripe: card payments online 2.9 % + $0.30 per transaction
        PercentagePrice price = new PercentagePrice(d("2.9"), d("0.30"), null, null);
        ChargeInput.Transactions t = ChargeInput.Transactions.NONE;
        for (String v : List.of("100.00", "10.00", "2500.00")) {
            t = price.accumulate(t, d(v));
        }
        Evaluation e = price.evaluate(t, "USD");
        // 2.9 % of 2610 = 75.69; 3 × 0.30 = 0.90
        assertThat(e.amount()).isEqualByComparingTo("76.59");
        assertThat(e.steps()).extracting(Evaluation.Step::text).containsExactly(
                "2.9 % of USD 2610 over 3 transactions = USD 75.69",
                "fixed fee: 3 × USD 0.3 = USD 0.9");
    }

    @Test
    void perTransactionMinimumAndMaximumAreTheirOwnLines() {
        // 1 % with a $0.50 minimum and a $20 maximum per transaction
        PercentagePrice price = new PercentagePrice(d("1"), null, d("0.50"), d("20"));
        ChargeInput.Transactions t = ChargeInput.Transactions.NONE;
        for (String v : List.of("10", "1000", "5000")) { // fees 0.10 → 0.50, 10, 50 → 20
            t = price.accumulate(t, d(v));
        }
        Evaluation e = price.evaluate(t, "USD");
        assertThat(e.amount()).isEqualByComparingTo("30.50");
        assertThat(e.steps()).extracting(Evaluation.Step::text).containsExactly(
                "1 % of USD 6010 over 3 transactions = USD 60.1",
                "minimum fee USD 0.5 per transaction raised 1 transactions: +USD 0.4",
                "maximum fee USD 20 per transaction capped 1 transactions: −USD 30");
        assertThat(PercentagePrice.ofBasisPoints(d("250"), null, null, null).ratePercent()).isEqualByComparingTo("2.5");
    }

    @Test
    void matrixPricesEachCellAndFallsBackToTheDefault() {
        MatrixPrice price = new MatrixPrice(List.of("region"),
                Map.of(Map.of("region", "eu"), new PerUnitPrice(d("0.10")), Map.of("region", "us"), new PerUnitPrice(d("0.08"))),
                new PerUnitPrice(d("0.12")));
        Evaluation e = price.evaluate(new ChargeInput.Grouped(Map.of(
                Map.of("region", "eu", "host", "a"), d("100"),
                Map.of("region", "eu", "host", "b"), d("50"),
                Map.of("region", "ap"), d("10"),
                Map.of("region", "us"), d("1000"))), "USD");
        assertThat(e.amount()).isEqualByComparingTo("96.2"); // 150×0.10 + 10×0.12 + 1000×0.08
        assertThat(e.steps()).extracting(Evaluation.Step::text).containsExactly(
                "{region=ap} (default) 10 × USD 0.12 = USD 1.2",
                "{region=eu} 150 × USD 0.1 = USD 15",
                "{region=us} 1000 × USD 0.08 = USD 80");
    }

    @Test
    void perChargeMinimumAndMaximum() {
        ChargeCaps caps = new ChargeCaps(new PerUnitPrice(d("0.01")), d("5"), d("100"));
        assertThat(caps.evaluate(d("0"), "USD").amount()).isEqualByComparingTo("5");
        assertThat(caps.evaluate(d("0"), "USD").steps().get(1).text()).isEqualTo("minimum charge USD 5: +USD 5");
        assertThat(caps.evaluate(d("2000"), "USD").amount()).isEqualByComparingTo("20");
        Evaluation capped = caps.evaluate(d("50000"), "USD");
        assertThat(capped.amount()).isEqualByComparingTo("100");
        assertThat(capped.steps().get(1).text()).isEqualTo("maximum charge USD 100: −USD 400");
    }

    @Test
    void graduatedFlatFeesAreChargedOnlyForTiersTheUsageReaches() {
        GraduatedPrice price = new GraduatedPrice(List.of(Tier.upTo("10", "1").withFlatFee("100"), Tier.rest("0.5").withFlatFee("50")));
        assertThat(price.evaluate(d("0"), "USD").amount()).isEqualByComparingTo("0");
        assertThat(price.evaluate(d("10"), "USD").amount()).isEqualByComparingTo("110");
        assertThat(price.evaluate(d("11"), "USD").amount()).isEqualByComparingTo("160.5");
    }

    @Test
    void aBoundaryQuantityBelongsToTheLowerVolumeTier() {
        VolumePrice price = new VolumePrice(ZUPLO_TIERS);
        assertThat(price.evaluate(d("1000"), "USD").amount()).isEqualByComparingTo("100");
        assertThat(price.evaluate(d("1000.5"), "USD").amount()).isEqualByComparingTo("50.025");
    }

    /**
     * Graduated percentage (the shape of Lago's "graduated percentage", numbers worked by hand): 1 % of the first
     * 10,000, 0.5 % of 10,000–50,000 plus a USD 5 flat fee when reached, 0.25 % above. 60,000 of payments:
     * 100 + 200 + 5 + 25 = 330. It is the graduated price with each rate as a unit price of rate/100.
     */
    @Test
    void graduatedPercentageOfPayments() {
        GraduatedPercentagePrice price = new GraduatedPercentagePrice(List.of(Tier.upTo("10000", "1"), Tier.upTo("50000", "0.5").withFlatFee("5"),
                Tier.rest("0.25")));
        Evaluation e = price.evaluate(d("60000"), "USD");
        assertThat(e.amount()).isEqualByComparingTo("330");
        assertThat(e.steps()).extracting(Evaluation.Step::text).containsExactly("tier 1 (0–10000): 1 % of USD 10000 = USD 100",
                "tier 2 (10000–50000): 0.5 % of USD 40000 = USD 200", "tier 2 (10000–50000) flat fee: USD 5",
                "tier 3 (above 50000): 0.25 % of USD 10000 = USD 25");
        GraduatedPrice same = new GraduatedPrice(List.of(Tier.upTo("10000", "0.01"), Tier.upTo("50000", "0.005").withFlatFee("5"),
                Tier.rest("0.0025")));
        for (String amount : new String[] {"0", "1", "9999.99", "10000", "10000.01", "49999", "50000", "1234567.89"}) {
            assertThat(price.evaluate(d(amount), "USD").amount()).isEqualByComparingTo(same.evaluate(d(amount), "USD").amount());
        }
    }
}
