package dev.tally.rating.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.AvgAccumulator;
import dev.tally.model.metering.agg.LatestAccumulator;
import dev.tally.model.metering.agg.MaxAccumulator;
import dev.tally.model.metering.agg.MeterFilter;
import dev.tally.model.metering.agg.MinAccumulator;
import dev.tally.model.metering.agg.Observation;
import dev.tally.model.metering.agg.PercentileAccumulator;
import dev.tally.model.metering.agg.QuantileSketch;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A non-additive aggregate's stored {@code state} as JSON (decimals as strings, so nothing passes through double):
 * the accumulator of MIN, MAX, AVG, LATEST and PERCENTILE, and for every aggregation the meter definition it was
 * computed under, so that {@link NonAdditive} merges into a state only while the meter still means the same.
 */
final class AccumulatorState {
    private AccumulatorState() {
    }

    /**
     * The state kept: for MIN, MAX, AVG, LATEST and PERCENTILE the accumulator; for every one the definition it
     * was computed under ({@link #definition}).
     */
    static String encode(ObjectMapper json, Accumulator acc, MeterDefinition meter) throws Exception {
        ObjectNode n = json.createObjectNode().put("a", acc.aggregation().name()).put("d", definition(meter));
        switch (acc) {
            case MinAccumulator a -> n.put("n", a.count()).put("v", str(a.min()));
            case MaxAccumulator a -> n.put("n", a.count()).put("v", str(a.max()));
            case AvgAccumulator a -> n.put("n", a.count()).put("sum", a.sum().toString());
            case LatestAccumulator a -> {
                n.put("n", a.count());
                if (a.latest() != null) {
                    n.put("id", a.latest().eventId()).put("at", a.latest().timestamp().toString()).put("v", a.latest().value().toString());
                }
            }
            case PercentileAccumulator a -> {
                QuantileSketch s = a.sketch();
                n.put("p", a.percentile().toPlainString()).put("zero", s.zeroCount()).put("min", str(s.min())).put("max", str(s.max()));
                ObjectNode pos = n.putObject("pos");
                s.positive().forEach((i, count) -> pos.put(Integer.toString(i), count));
                ObjectNode neg = n.putObject("neg");
                s.negative().forEach((i, count) -> neg.put(Integer.toString(i), count));
            }
            default -> {
                // TIME_WEIGHTED_SUM: its state is every sample, recomputed from the observations
            }
        }
        return json.writeValueAsString(n);
    }

    /**
     * What the stored state was computed under: the aggregation, property, percentile, group-by and filter
     * (canonical text). A meter whose definition changed since is recomputed, never merged into.
     */
    static String definition(MeterDefinition m) {
        StringBuilder b = new StringBuilder().append(m.aggregation()).append('|').append(m.eventType()).append('|').append(m.property())
                .append('|').append(m.percentile() == null ? "" : m.percentile().stripTrailingZeros().toPlainString()).append('|')
                .append(String.join(",", m.groupBy())).append('|');
        for (MeterFilter.Condition c : m.filter().conditions()) {
            switch (c) {
                case MeterFilter.Equals e -> b.append("eq:").append(e.property()).append('=').append(e.value());
                case MeterFilter.In in -> b.append("in:").append(in.property()).append('=')
                        .append(String.join(",", new TreeSet<>(in.values())));
                case MeterFilter.Exists x -> b.append("exists:").append(x.property());
            }
            b.append(';');
        }
        return b.toString();
    }

    /** The definition a stored state was kept under (null: no state, or none recorded). */
    static String fingerprintOf(ObjectMapper json, String state) throws Exception {
        return state == null ? null : json.readTree(state).path("d").asText(null);
    }

    /**
     * The stored state as an accumulator of {@code meter}; null when there is none or it was kept under another
     * definition (the meter's aggregation or percentile changed since): the caller recomputes then.
     */
    static Accumulator decode(ObjectMapper json, MeterDefinition meter, String state) throws Exception {
        if (state == null) {
            return null;
        }
        JsonNode n = json.readTree(state);
        if (!meter.aggregation().name().equals(n.path("a").asText()) || !definition(meter).equals(n.path("d").asText(null))
                || (meter.percentile() != null && dec(n, "p").compareTo(meter.percentile()) != 0)) {
            return null;
        }
        long count = n.path("n").asLong();
        return switch (meter.aggregation()) {
            case MIN -> new MinAccumulator(dec(n, "v"), count);
            case MAX -> new MaxAccumulator(dec(n, "v"), count);
            case AVG -> new AvgAccumulator(dec(n, "sum"), count);
            case LATEST -> new LatestAccumulator(n.hasNonNull("id")
                    ? Observation.of(n.get("id").asText(), Instant.parse(n.get("at").asText()), dec(n, "v")) : null, count);
            case PERCENTILE -> new PercentileAccumulator(dec(n, "p"), new QuantileSketch(buckets(n.get("pos")), buckets(n.get("neg")),
                    n.path("zero").asLong(), dec(n, "min"), dec(n, "max")));
            default -> throw new IllegalStateException(meter.aggregation() + " keeps no state");
        };
    }

    private static TreeMap<Integer, Long> buckets(JsonNode node) {
        TreeMap<Integer, Long> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return out;
    }

    private static String str(BigDecimal d) {
        return d == null ? null : d.toString();
    }

    private static BigDecimal dec(JsonNode n, String field) {
        return n.hasNonNull(field) ? new BigDecimal(n.get(field).asText()) : null;
    }
}
