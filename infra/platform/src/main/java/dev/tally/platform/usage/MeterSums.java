package dev.tally.platform.usage;

import dev.tally.model.invoice.PlanCharges;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

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

    /** Adds one stored row to its meter's sums in {@code byMeter}. */
    public static void add(Map<String, MeterSums> byMeter, String meter, String dimensions, BigDecimal quantity, long events, long version) {
        MeterSums s = byMeter.computeIfAbsent(meter, k -> new MeterSums());
        s.quantity = s.quantity.add(quantity);
        s.events += events;
        s.version += version;
        StoredDimensions.add(s.groups, dimensions, quantity);
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
        return new PlanCharges.MeterUsage(quantity, events, groups);
    }

    /** Every meter's sums as the pricing core takes them. */
    public static Map<String, PlanCharges.MeterUsage> usage(Map<String, MeterSums> byMeter) {
        Map<String, PlanCharges.MeterUsage> out = new HashMap<>();
        byMeter.forEach((meter, s) -> out.put(meter, s.usage()));
        return out;
    }
}
