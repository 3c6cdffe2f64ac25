package dev.tally.bench;

import dev.tally.model.pricing.GraduatedPrice;
import dev.tally.model.pricing.PerUnitPrice;
import dev.tally.model.pricing.Tier;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Pricing one charge: a 10-tier graduated quantity, against the baseline of one exact multiplication. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PricingBench {
    BigDecimal quantity;
    BigDecimal unitPrice;
    GraduatedPrice tenTiers;
    PerUnitPrice perUnit;

    @Setup
    public void setUp() {
        quantity = new BigDecimal("7654321.123");
        unitPrice = new BigDecimal("0.0000025");
        List<Tier> tiers = new ArrayList<>();
        for (int i = 1; i < 10; i++) {
            tiers.add(new Tier(BigDecimal.valueOf(1_000L * i * i * i), new BigDecimal("0.0100").subtract(BigDecimal.valueOf(i).movePointLeft(4)),
                    i % 3 == 0 ? new BigDecimal("5") : null));
        }
        tiers.add(new Tier(null, new BigDecimal("0.0001"), null));
        tenTiers = new GraduatedPrice(tiers);
        perUnit = new PerUnitPrice(unitPrice);
    }

    /** Baseline: the arithmetic alone, quantity × price in BigDecimal. */
    @Benchmark
    public BigDecimal baselineMultiply() {
        return quantity.multiply(unitPrice);
    }

    /** Per-unit price with its breakdown text. */
    @Benchmark
    public Object perUnitWithBreakdown() {
        return perUnit.evaluate(quantity, "USD");
    }

    /** 10 graduated tiers (the quantity reaches all of them) with the breakdown of every tier. */
    @Benchmark
    public Object graduatedTenTiers() {
        return tenTiers.evaluate(quantity, "USD");
    }
}
