package dev.tally.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A closed set of values that the API, the messages and the database spell as text ({@link #wire()}): an enum
 * implements it (its constants' names, lower-cased, are the spellings), and the database's check constraint on the column holds exactly its spellings (each service's
 * ClosedSetsTest compares them).
 */
public interface ClosedSet {
    /** As the API, the database and the messages spell it: the constant's name in lower case ({@code PENDING_APPROVAL} → {@code pending_approval}). */
    default String wire() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code wire} spells this value. */
    default boolean is(String wire) {
        return wire().equals(wire);
    }

    /** The value of {@code type} spelled {@code wire}; an unknown spelling is an error naming the allowed ones. */
    static <E extends Enum<E> & ClosedSet> E of(Class<E> type, String wire) {
        return Arrays.stream(type.getEnumConstants()).filter(v -> v.wire().equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + wire + "' (one of "
                        + Arrays.stream(type.getEnumConstants()).map(ClosedSet::wire).toList() + ")"));
    }

    /** Every spelling of {@code type}, in declaration order. */
    static <E extends Enum<E> & ClosedSet> List<String> wires(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ClosedSet::wire).toList();
    }
}
