package dev.tally.bench;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.Accumulators;
import dev.tally.model.metering.agg.Observation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Folding a poll's worth of events (1,000) into accumulators, per event, against the baseline of
 * summing the same 1,000 BigDecimals in a loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AggregationBench {
    static final int EVENTS = 1_000;
    List<Observation> observations;
    BillingPeriod period;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        period = BillingPeriod.calendarMonthOf(Instant.parse("2026-11-15T00:00:00Z"));
        observations = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            BigDecimal bytes = BigDecimal.valueOf(random.nextLong(1, 50_000_000)).movePointLeft(random.nextInt(0, 3));
            observations.add(new Observation("e" + i, period.start().plusSeconds(random.nextLong(0, 2_000_000)), bytes,
                    "user-" + random.nextInt(0, 300)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public BigDecimal baselineBigDecimalSum() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Observation o : observations) {
            sum = sum.add(o.value());
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public Accumulator sum() {
        return Accumulators.sum().addAll(observations);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public Accumulator max() {
        return Accumulators.max().addAll(observations);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public Accumulator uniqueCount() {
        return Accumulators.uniqueCount().addAll(observations);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public Accumulator p99() {
        return Accumulators.percentile(99).addAll(observations);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public Accumulator timeWeightedSum() {
        return Accumulators.timeWeightedSum(period).addAll(observations);
    }
}
