package dev.tally.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
    /** The fast path and Instant.parse agree on every string: same instant, or both refuse. */
    private static void agrees(String s) {
        Instant expected;
        try {
            expected = Instant.parse(s);
        } catch (DateTimeParseException e) {
            expected = null;
        }
        Instant actual;
        try {
            actual = Rfc3339.parse(s);
        } catch (DateTimeParseException e) {
            actual = null;
        }
        assertThat(actual).as(s).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void printedInstantsRoundTrip(@ForAll @LongRange(min = -62_000_000_000L, max = 253_000_000_000L) long seconds,
            @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        assertThat(Rfc3339.parse(t.toString())).isEqualTo(t);
        agrees(t.toString());
    }

    @Property(tries = 3000)
    void formatWritesWhatInstantToStringWrites(@ForAll @LongRange(min = -62_200_000_000L, max = 253_500_000_000L) long seconds,
            @ForAll("nanos") int nanos) {
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        assertThat(Rfc3339.format(t)).isEqualTo(t.toString());
    }

    @Provide
    Arbitrary<Integer> nanos() {
        return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(u -> u * 1_000), Arbitraries.integers().between(0, 999_999_999));
    }

    @Test
    void formatAtTheEdgesOfItsYears() {
        for (String s : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z",
                "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "2028-02-29T12:00:00.000001Z"}) {
            assertThat(Rfc3339.format(Instant.parse(s))).isEqualTo(Instant.parse(s).toString());
        }
    }

    @Property(tries = 5000)
    void mutatedTimestampsGetTheSameAnswerAsInstantParse(@ForAll("mutated") String s) {
        agrees(s);
    }

    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<String> base = Arbitraries.of("2026-11-22T10:15:30Z", "2026-11-22T10:15:30.123Z", "2026-11-22T10:15:30.123456789Z",
                "2026-11-22T10:15:30+01:00", "2026-11-22T10:15:30.5-07:30", "2028-02-29T23:59:59z", "2026-02-28T00:00:00Z");
        return base.flatMap(b -> Arbitraries.integers().between(0, b.length() - 1).flatMap(pos -> Arbitraries.of(
                '0', '1', '2', '3', '5', '9', '-', ':', 'T', 'Z', '.', '+', ' ', 'x').map(c -> b.substring(0, pos) + c + b.substring(pos + 1))));
    }

    @Test
    void edgeCases() {
        for (String s : new String[] {"2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T23:59:60Z", "2026-11-22T10:15:30+18:00",
                "2026-11-22T10:15:30.1234567890Z", "2026-11-22T10:15:30.Z", "+12026-11-22T10:15:30Z", "2026-11-22T10:15:30", "2026-11-22 10:15:30Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-11-22T10:15:30-00:00"}) {
            agrees(s);
        }
    }
}
