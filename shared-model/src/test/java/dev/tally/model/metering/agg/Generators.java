package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Shared generators: small id/time/key domains so ties (same instant, same key, 1.0 vs 1.00) are common. */
final class Generators {
    private Generators() {
    }

    /** One day; generated timestamps also fall a little before its start and at/after its end. */
    static final BillingPeriod DAY = new BillingPeriod(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"));

    static Accumulator empty(Aggregation aggregation) {
        return aggregation == Aggregation.PERCENTILE ? Accumulators.percentile(95) : Accumulators.empty(aggregation, DAY);
    }

    static Arbitrary<BigDecimal> decimals() {
        return Combinators.combine(Arbitraries.longs().between(-2000, 2000), Arbitraries.integers().between(0, 3))
                .as(BigDecimal::valueOf);
    }

    static Arbitrary<Instant> instants() {
        Arbitrary<Instant> hours = Arbitraries.integers().between(-2, 25).map(h -> DAY.start().plusSeconds(h * 3600L));
        Arbitrary<Instant> anywhere = Arbitraries.longs().between(-7200, 90_000).map(s -> DAY.start().plusSeconds(s));
        Arbitrary<Instant> withNanos = Arbitraries.longs().between(0, 86_400L * 1_000_000_000L).map(n -> DAY.start().plusNanos(n));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, hours), net.jqwik.api.Tuple.of(3, anywhere), net.jqwik.api.Tuple.of(1, withNanos));
    }

    static Arbitrary<Observation> observations() {
        Arbitrary<String> ids = Arbitraries.integers().between(0, 15).map(i -> "e" + i);
        Arbitrary<BigDecimal> values = decimals().injectNull(0.1);
        Arbitrary<String> keys = Arbitraries.integers().between(0, 7).map(i -> "k" + i).injectNull(0.1);
        return Combinators.combine(ids, instants(), values, keys).as(Observation::new);
    }

    static Arbitrary<List<Observation>> streams(int maxSize) {
        return observations().list().ofMaxSize(maxSize);
    }

    /** The stream with repeated event ids dropped (first kept): what ingest's dedup guarantees. */
    static List<Observation> distinctIds(List<Observation> stream) {
        Set<String> seen = new HashSet<>();
        List<Observation> out = new ArrayList<>();
        for (Observation o : stream) {
            if (seen.add(o.eventId())) {
                out.add(o);
            }
        }
        return out;
    }
}
