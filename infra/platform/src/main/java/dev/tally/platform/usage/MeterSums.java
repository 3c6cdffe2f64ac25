package dev.tally.platform.usage;

import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.RatedUsageV1;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A meter's usage in a period summed from its stored rows, one per group of dimension values: the total, the events,
 * the sum of the groups' versions (it grows whenever any group changes), and each group's quantity (a grouped meter's
 * only; a matrix charge prices them). Filled in place, so a meter with thousands of groups costs one map.
 */
public final class MeterSums {
    private BigDecimal quantity = BigDecimal.ZERO;
    private long events;
    private long version;
    private final Map<Map<String, String>, BigDecimal> groups = new HashMap<>();
    private Map<Instant, MeterSums> segments; // the parts in later plan segments ({@link StoredSegments}), when any

    /** Adds one stored row to its meter's sums in {@code byMeter}. */
    public static void add(Map<String, MeterSums> byMeter, String meter, String dimensions, BigDecimal quantity, long events, long version) {
        add(byMeter, meter, dimensions, quantity, events, version, null);
    }

    /** Adds one stored row, with its parts in later plan segments as stored ({@link StoredSegments}; null: none). */
    public static void add(Map<String, MeterSums> byMeter, String meter, String dimensions, BigDecimal quantity, long events, long version,
            String segments) {
        MeterSums s = byMeter.computeIfAbsent(meter, k -> new MeterSums());
        s.add(dimensions, quantity, events, version);
        List<RatedUsageV1.Segment> parts = StoredSegments.parse(segments);
        if (parts != null) {
            if (s.segments == null) {
                s.segments = new TreeMap<>();
            }
            for (RatedUsageV1.Segment p : parts) {
                s.segments.computeIfAbsent(p.start(), k -> new MeterSums()).add(dimensions, p.quantity(), p.eventCount(), 0);
            }
        }
    }

    private void add(String dimensions, BigDecimal q, long n, long v) {
        quantity = quantity.add(q);
        events += n;
        version += v;
        StoredDimensions.add(groups, dimensions, q);
    }

    public BigDecimal quantity() {
        return quantity;
    }

    public long events() {
        return events;
    }

    public long version() {
        return version;
    }

    /** The groups' quantities (empty for an ungrouped meter); a copy is taken by whoever keeps it. */
    public Map<Map<String, String>, BigDecimal> groups() {
        return groups;
    }

    /** The sums as the pricing core takes them. */
    public PlanCharges.MeterUsage usage() {
        if (segments == null) {
            return new PlanCharges.MeterUsage(quantity, events, groups);
        }
        Map<Instant, PlanCharges.MeterUsage> parts = new TreeMap<>();
        segments.forEach((start, part) -> parts.put(start, part.usage()));
        return new PlanCharges.MeterUsage(quantity, events, groups, parts);
    }

    /** One meter's parts in later plan segments from its rows' stored parts (group as stored → parts as stored). */
    public static Map<Instant, PlanCharges.MeterUsage> segments(Map<String, String> partsByGroup) {
        Map<String, MeterSums> one = new HashMap<>();
        partsByGroup.forEach((dimensions, parts) -> add(one, "m", dimensions, BigDecimal.ZERO, 0, 0, parts));
        return one.isEmpty() ? Map.of() : one.get("m").usage().segments();
    }

    /** Every meter's sums as the pricing core takes them. */
    public static Map<String, PlanCharges.MeterUsage> usage(Map<String, MeterSums> byMeter) {
        Map<String, PlanCharges.MeterUsage> out = new HashMap<>();
        byMeter.forEach((meter, s) -> out.put(meter, s.usage()));
        return out;
    }
}
