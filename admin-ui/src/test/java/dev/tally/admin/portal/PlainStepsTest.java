package dev.tally.admin.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.pricing.ChargeCaps;
import dev.tally.model.pricing.ChargeInput;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.pricing.FreeAllowance;
import dev.tally.model.pricing.GraduatedPercentagePrice;
import dev.tally.model.pricing.GraduatedPrice;
import dev.tally.model.pricing.MatrixPrice;
import dev.tally.model.pricing.PackagePrice;
import dev.tally.model.pricing.PerUnitPrice;
import dev.tally.model.pricing.PercentagePrice;
import dev.tally.model.pricing.Tier;
import dev.tally.model.pricing.VolumePrice;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The portal's plain words for price steps, from the steps the pricing functions really write (shared-model, test
 * scope): the words change, never a figure.
 */
class PlainStepsTest {
    private static final PortalFormat EN = new PortalFormat("en");
    private static final PortalFormat DE = new PortalFormat("de");
    private static final Pattern RESULT = Pattern.compile("= ([A-Z]{3}) (\\d+(?:\\.\\d+)?)$");
    private static final List<Tier> GATEWAY = List.of(Tier.upTo("10", "0"), Tier.upTo("10000", "0.09"), Tier.rest("0.05"));

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static List<String> plain(Evaluation e, PortalFormat fmt) {
        return e.steps().stream().map(s -> PlainSteps.plain(s.text(), fmt)).toList();
    }

    @Test
    void graduatedTiersReadAsFirstFromAndAbove() {
        Evaluation e = new GraduatedPrice(GATEWAY).evaluate(d("12000"), "USD");
        assertThat(plain(e, EN)).containsExactly("first 10 free", "from 10 to 10,000: 9,990 × $0.09 = $899.10", "above 10,000: 2,000 × $0.05 = $100.00");
        assertThat(plain(e, DE)).containsExactly("first 10 free", "from 10 to 10.000: 9.990 × 0,09\u00a0$ = 899,10\u00a0$", "above 10.000: 2.000 × 0,05\u00a0$ = 100,00\u00a0$");
        Evaluation fees = new GraduatedPrice(List.of(Tier.upTo("10", "1").withFlatFee("100"), Tier.rest("0.5").withFlatFee("50"))).evaluate(d("12"),
                "EUR");
        assertThat(plain(fees, EN)).containsExactly("first 10: 10 × €1.00 = €10.00", "first 10, flat fee: €100.00", "above 10: 2 × €0.50 = €1.00",
                "above 10, flat fee: €50.00");
    }

    @Test
    void volumeAndOtherModelsKeepTheirWordsWithLocalFigures() {
        assertThat(plain(new VolumePrice(GATEWAY).evaluate(d("15000"), "USD"), EN)).containsExactly("above 10,000 reached: all 15,000 × $0.05 = $750.00");
        assertThat(plain(new VolumePrice(List.of(Tier.upTo("100", "1").withFlatFee("10"), Tier.rest("0.5").withFlatFee("20"))).evaluate(d("150"),
                "USD"), EN)).containsExactly("above 100 reached: all 150 × $0.50 = $75.00", "flat fee of the tier reached: $20.00");
        assertThat(plain(new PerUnitPrice(d("0.0001")).evaluate(d("2500000"), "JPY"), EN)).containsExactly("2,500,000 × ¥0.0001 = ¥250");
        assertThat(plain(new ChargeCaps(new PerUnitPrice(d("0.01")), d("5"), d("100")).evaluate(d("50000"), "USD"), DE))
                .containsExactly("50.000 × 0,01\u00a0$ = 500,00\u00a0$", "maximum charge 100,00\u00a0$: −400,00\u00a0$");
        assertThat(plain(new FreeAllowance(d("100"), new PackagePrice(d("100"), d("5"))).evaluate(d("201"), "USD"), EN).get(1))
                .isEqualTo("101 units in packages of 100 = 2 packages (the last one partial, charged in full) × $5.00 = $10.00");
    }

    @Test
    void everyPriceModelsStepsComeOutWithoutAnEngineersLabelOrARawAmount() {
        List<Evaluation> all = new ArrayList<>();
        all.add(new GraduatedPrice(GATEWAY).evaluate(d("12000.5"), "USD"));
        all.add(new GraduatedPrice(List.of(Tier.upTo("1000", "0.5").inPackagesOf("100"), Tier.rest("0.2").inPackagesOf("1000"))).evaluate(d("2500"),
                "USD"));
        all.add(new VolumePrice(GATEWAY).evaluate(d("5"), "USD"));
        all.add(new VolumePrice(GATEWAY).evaluate(d("0"), "USD"));
        all.add(new PackagePrice(d("1000"), d("2")).evaluate(d("2001"), "GBP"));
        all.add(new FreeAllowance(d("100"), new PerUnitPrice(d("0.01"))).evaluate(d("40"), "USD"));
        all.add(new ChargeCaps(new PerUnitPrice(d("0.01")), d("5"), null).evaluate(d("0"), "USD"));
        all.add(new GraduatedPercentagePrice(List.of(Tier.upTo("10000", "1"), Tier.rest("0.25").withFlatFee("5"))).evaluate(d("20000"), "USD"));
        PercentagePrice pct = new PercentagePrice(d("2.9"), d("0.30"), d("0.50"), d("20"));
        ChargeInput.Transactions t = ChargeInput.Transactions.NONE;
        for (String v : List.of("1", "100", "5000")) {
            t = pct.accumulate(t, d(v));
        }
        all.add(pct.evaluate(t, "USD"));
        all.add(new MatrixPrice(List.of("region"), Map.of(Map.of("region", "eu"), new GraduatedPrice(GATEWAY)), new PerUnitPrice(d("0.12")))
                .evaluate(new ChargeInput.Grouped(Map.of(Map.of("region", "eu"), d("20000"), Map.of("region", "ap"), d("10"))), "USD"));
        for (Evaluation e : all) {
            for (Evaluation.Step s : e.steps()) {
                for (PortalFormat fmt : List.of(EN, DE)) {
                    String p = PlainSteps.plain(s.text(), fmt);
                    assertThat(p).as(s.text()).doesNotContain("tier ").doesNotContain("USD ").doesNotContain("GBP ").isNotBlank();
                    // a step's result is still its own figure, written for the locale
                    Matcher result = RESULT.matcher(s.text());
                    if (result.find() && new BigDecimal(result.group(2)).signum() != 0) {
                        assertThat(p).as(s.text()).endsWith(fmt.money(result.group(2), result.group(1)));
                    }
                }
            }
        }
    }
}
