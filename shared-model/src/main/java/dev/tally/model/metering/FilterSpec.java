package dev.tally.model.metering;

import dev.tally.model.metering.agg.MeterFilter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A meter filter condition as data (the catalog API's and the catalog topic's form): {@code op} is
 * {@code equals} (one value), {@code in} (one or more values) or {@code exists} (no values). Values
 * compare as exact text, see {@link MeterFilter}.
 */
public record FilterSpec(String property, String op, List<String> values) {
    /** Property names and group-by dimensions. */
    public static final Pattern PROPERTY = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /** A condition that cannot be built; {@code field} is its path, e.g. {@code filters[1].values}. */
    public static final class InvalidFilterException extends IllegalArgumentException {
        private final String field;

        InvalidFilterException(String field, String problem) {
            super(field + " " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The AND of the conditions; none (or null) matches every event of the meter's type. */
    public static MeterFilter compile(List<FilterSpec> specs) {
        if (specs == null || specs.isEmpty()) {
            return MeterFilter.ALL;
        }
        List<MeterFilter.Condition> conditions = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            conditions.add(condition(specs.get(i), "filters[" + i + "]"));
        }
        return new MeterFilter(conditions);
    }

    /** Checks group-by dimensions: property names, no repeats. */
    public static List<String> groupBy(List<String> dimensions) {
        if (dimensions == null) {
            return List.of();
        }
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < dimensions.size(); i++) {
            String d = dimensions.get(i);
            if (d == null || !PROPERTY.matcher(d).matches()) {
                throw new InvalidFilterException("groupBy[" + i + "]", "must match " + PROPERTY.pattern());
            }
            if (!seen.add(d)) {
                throw new InvalidFilterException("groupBy[" + i + "]", "repeats '" + d + "'");
            }
        }
        return List.copyOf(seen);
    }

    private static MeterFilter.Condition condition(FilterSpec s, String path) {
        if (s == null) {
            throw new InvalidFilterException(path, "is empty");
        }
        if (s.property() == null || !PROPERTY.matcher(s.property()).matches()) {
            throw new InvalidFilterException(path + ".property", "must match " + PROPERTY.pattern());
        }
        List<String> values = s.values() == null ? List.of() : s.values();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new InvalidFilterException(path + ".values[" + i + "]", "is null");
            }
        }
        String op = s.op() == null ? "" : s.op();
        return switch (op) {
            case "equals" -> {
                if (values.size() != 1) {
                    throw new InvalidFilterException(path + ".values", "equals takes exactly one value");
                }
                yield MeterFilter.equalTo(s.property(), values.get(0));
            }
            case "in" -> {
                if (values.isEmpty()) {
                    throw new InvalidFilterException(path + ".values", "in takes one or more values");
                }
                yield new MeterFilter.In(s.property(), new LinkedHashSet<>(values));
            }
            case "exists" -> {
                if (!values.isEmpty()) {
                    throw new InvalidFilterException(path + ".values", "exists takes no values");
                }
                yield MeterFilter.exists(s.property());
            }
            default -> throw new InvalidFilterException(path + ".op", "must be one of equals, in, exists; was '" + op + "'");
        };
    }
}
