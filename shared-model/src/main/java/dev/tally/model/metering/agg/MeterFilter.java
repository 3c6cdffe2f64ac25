package dev.tally.model.metering.agg;

import dev.tally.model.event.UsageEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which events a meter counts, beyond their type: an AND of conditions on event properties (no conditions:
 * every event). Values compare by exact {@link PropertyText text}: a string as sent, a decimal in plain
 * notation with its scale, a boolean as "true"/"false"; so {@code equalTo("tier", "2")} does not match 2.0.
 */
public record MeterFilter(List<Condition> conditions) implements Predicate<UsageEvent> {
    public static final MeterFilter ALL = new MeterFilter(List.of());

    public MeterFilter {
        conditions = List.copyOf(conditions);
    }

    /** One condition on one property. */
    public sealed interface Condition extends Predicate<UsageEvent> permits Equals, In, Exists {
    }

    /** The property is present and its text equals {@code value}. */
    public record Equals(String property, String value) implements Condition {
        public Equals {
            Objects.requireNonNull(property, "property");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean test(UsageEvent event) {
            return value.equals(PropertyText.of(event.properties().get(property)));
        }
    }

    /** The property is present and its text is one of {@code values}. */
    public record In(String property, Set<String> values) implements Condition {
        public In {
            Objects.requireNonNull(property, "property");
            values = Set.copyOf(values);
        }

        @Override
        public boolean test(UsageEvent event) {
            String text = PropertyText.of(event.properties().get(property));
            return text != null && values.contains(text);
        }
    }

    /** The property is present (any value). */
    public record Exists(String property) implements Condition {
        public Exists {
            Objects.requireNonNull(property, "property");
        }

        @Override
        public boolean test(UsageEvent event) {
            return event.properties().containsKey(property);
        }
    }

    /** The AND of {@code conditions}. */
    public static MeterFilter where(Condition... conditions) {
        return new MeterFilter(List.of(conditions));
    }

    public static Condition equalTo(String property, String value) {
        return new Equals(property, value);
    }

    public static Condition in(String property, String... values) {
        return new In(property, Set.of(values));
    }

    public static Condition exists(String property) {
        return new Exists(property);
    }

    /** This filter with one more condition ANDed. */
    public MeterFilter and(Condition condition) {
        List<Condition> next = new ArrayList<>(conditions);
        next.add(Objects.requireNonNull(condition, "condition"));
        return new MeterFilter(next);
    }

    /** Whether every condition holds. */
    @Override
    public boolean test(UsageEvent event) {
        for (Condition c : conditions) {
            if (!c.test(event)) {
                return false;
            }
        }
        return true;
    }
}
