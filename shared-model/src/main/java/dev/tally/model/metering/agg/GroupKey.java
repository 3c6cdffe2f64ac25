package dev.tally.model.metering.agg;

import dev.tally.model.event.UsageEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * The group an event falls in when a meter is grouped by dimensions: the dimension names in group-by order
 * with the event's {@link PropertyText text} for each. A missing property gives {@code ""}, so "absent" and
 * "present but empty" are one group. Equality is order-sensitive; keys sort by (name, value) pairs in order.
 */
public record GroupKey(List<String> names, List<String> values) implements Comparable<GroupKey> {
    /** The key of an ungrouped meter. */
    public static final GroupKey NONE = new GroupKey(List.of(), List.of());

    public GroupKey {
        names = List.copyOf(names);
        values = List.copyOf(values);
        if (names.size() != values.size()) {
            throw new IllegalArgumentException("one value per dimension");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("duplicate dimension: " + names);
        }
    }

    /** {@code event}'s group for {@code dimensions} (in that order); missing properties give "". */
    public static GroupKey of(UsageEvent event, List<String> dimensions) {
        List<String> values = new ArrayList<>(dimensions.size());
        for (String d : dimensions) {
            String text = PropertyText.of(event.properties().get(d));
            values.add(text == null ? "" : text);
        }
        return new GroupKey(dimensions, values);
    }

    /** The dimensions as an ordered, unmodifiable map name → value. */
    public SequencedMap<String, String> dimensions() {
        SequencedMap<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            map.put(names.get(i), values.get(i));
        }
        return Collections.unmodifiableSequencedMap(map);
    }

    @Override
    public int compareTo(GroupKey other) {
        int n = Math.min(names.size(), other.names.size());
        for (int i = 0; i < n; i++) {
            int c = names.get(i).compareTo(other.names.get(i));
            if (c == 0) {
                c = values.get(i).compareTo(other.values.get(i));
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(names.size(), other.names.size());
    }
}
