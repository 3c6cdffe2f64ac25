package dev.tally.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link EventValidator#validate} with hostile raw events (any unicode, control characters, unpaired surrogates,
 * blank and very long strings, timestamps at and around the window's edges, far away or garbage, properties of every
 * JSON kind, numbers with huge or tiny exponents) and holds its verdict to an independent reading of the rules
 * (docs/api.md, the validator's constants): the verdict is never an exception; an event is Valid exactly when it breaks
 * no rule, and a rejection names a rule the event really breaks (code and field).
 */
class EventValidatorFuzzTest {
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final Duration WINDOW = EventValidator.DEFAULT_DEDUP_WINDOW;
    private static final EventValidator VALIDATOR = new EventValidator(SKEW, WINDOW);
    private static final Pattern NAME = Pattern.compile(EventValidator.NAME_RULE);
    /** The codes the validator uses (ingest adds others after validation). */
    private static final Set<String> CODES = Set.of("missing_field", "invalid_id", "invalid_type", "invalid_customer", "invalid_timestamp",
            "too_late", "timestamp_in_future", "too_many_properties", "invalid_property", "number_out_of_range");

    /** One broken rule: the field a rejection must name, and the code it must carry. */
    record Violation(String field, String code) {
    }

    record Case(RawEvent raw, Instant now) {
        @Override
        public String toString() {
            return describe(raw, now);
        }
    }

    record Mutation(Case original, String field, RawEvent mutated, String what) {
        @Override
        public String toString() {
            return what + " on " + field + ": " + describe(mutated, original.now());
        }
    }

    // ---------------------------------------------------------------------------------------------------- properties

    /** jqwik's own edge cases of this many combined generators cost seconds; the generators carry the edges that matter. */
    @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
    void hostileEventsGetAVerdictThatMatchesTheRules(@ForAll("hostileCases") Case c) {
        Map<String, Object> before = c.raw().properties() == null ? null : new LinkedHashMap<>(c.raw().properties());
        EventValidator.Result result = validate(c.raw(), c.now());
        checkVerdict(c.raw(), c.now(), result);
        assertThat(c.raw().properties()).as("validate leaves its input alone").isEqualTo(before);
    }

    @Property(tries = 2000)
    void mutatingOneFieldOfAValidEventIsJudgedByThatField(@ForAll("mutations") Mutation m) {
        Case original = m.original();
        assertThat(validate(original.raw(), original.now())).as("the unmutated event is valid: %s", original)
                .isInstanceOf(EventValidator.Valid.class);
        List<Violation> broken = violations(m.mutated(), original.now());
        assertThat(broken).as("test harness: a mutation only touches its own field").allMatch(v -> v.field().equals(m.field()));
        EventValidator.Result result = validate(m.mutated(), original.now());
        if (broken.isEmpty()) {
            assertThat(result).as("nothing broken, so still valid: %s", m).isInstanceOf(EventValidator.Valid.class);
            checkValid(m.mutated(), original.now(), ((EventValidator.Valid) result).event());
        } else {
            assertThat(result).as("a broken rule (%s), so invalid: %s", broken, m).isInstanceOf(EventValidator.Invalid.class);
            Rejection r = ((EventValidator.Invalid) result).rejection();
            assertThat(r.field()).as("the rejection names the mutated field: %s", m).isEqualTo(m.field());
            assertThat(broken).as("the rejection's code is one the mutation broke: %s -> %s", m, r).contains(new Violation(r.field(), r.code()));
        }
    }

    @Property(tries = 1000)
    void theSameInputGetsTheSameAnswer(@ForAll("hostileCases") Case c) {
        EventValidator.Result first = validate(c.raw(), c.now());
        EventValidator.Result again = validate(c.raw(), c.now());
        RawEvent copy = new RawEvent(copy(c.raw().id()), copy(c.raw().type()), copy(c.raw().customer()), copy(c.raw().timestamp()),
                c.raw().properties() == null ? null : new LinkedHashMap<>(c.raw().properties()));
        EventValidator.Result ofCopy = new EventValidator(SKEW, WINDOW).validate(copy, c.now());
        assertThat(again).as("same input twice: %s", c).isEqualTo(first);
        assertThat(ofCopy).as("an equal input to another validator: %s", c).isEqualTo(first);
    }

    /** What this fuzzer found, kept as fixed examples (an unpaired surrogate in an id; exponents at the int limit). */
    @Test
    void foundByFuzzing() {
        Instant now = Instant.parse("2026-11-22T12:00:00Z");
        for (String id : new String[] {"\ud800", "a\udc00", "e-2\udc00\udc00", "\udc00\ud800", "x\ud83d"}) {
            RawEvent raw = new RawEvent(id, "t", null, null, null);
            checkVerdict(raw, now, validate(raw, now));
            assertThat(validate(raw, now)).as(describe(raw, now)).isInstanceOf(EventValidator.Invalid.class);
        }
        for (String n : new String[] {"1e2147483647", "12e2147483647", "-1E+2147483647", "100e2147483647", "1.00E+2147483649", "9e-2147483647"}) {
            RawEvent raw = new RawEvent("e", "t", null, null, Map.of("n", new BigDecimal(n)));
            EventValidator.Result result = validate(raw, now);
            checkVerdict(raw, now, result);
            assertThat(result).as(describe(raw, now)).isInstanceOf(EventValidator.Invalid.class);
            assertThat(((EventValidator.Invalid) result).rejection()).extracting(Rejection::code, Rejection::field)
                    .containsExactly("number_out_of_range", "properties.n");
        }
        RawEvent pair = new RawEvent("e-\ud83d\ude00", "t", null, null, Map.of("n", new BigDecimal("1E+29")));
        checkVerdict(pair, now, validate(pair, now));
        assertThat(validate(pair, now)).as("a surrogate pair and 30 integer digits are fine").isInstanceOf(EventValidator.Valid.class);
    }

    // ---------------------------------------------------------------------------------------------------- checks

    private static EventValidator.Result validate(RawEvent raw, Instant now) {
        try {
            EventValidator.Result result = VALIDATOR.validate(raw, now);
            assertThat(result).as("a verdict, never null: %s", describe(raw, now)).isNotNull();
            return result;
        } catch (RuntimeException | StackOverflowError e) {
            return fail("validate threw " + e + " for " + describe(raw, now), e);
        }
    }

    private static void checkVerdict(RawEvent raw, Instant now, EventValidator.Result result) {
        List<Violation> broken = violations(raw, now);
        switch (result) {
            case EventValidator.Valid v -> {
                assertThat(broken).as("accepted although it breaks rules: %s", describe(raw, now)).isEmpty();
                checkValid(raw, now, v.event());
            }
            case EventValidator.Invalid i -> {
                Rejection r = i.rejection();
                assertThat(r).isNotNull();
                assertThat(r.code()).as("code of %s", describe(raw, now)).isNotBlank().isIn(CODES);
                assertThat(r.field()).as("field of %s", describe(raw, now)).isNotBlank();
                assertThat(r.message()).as("message of %s", describe(raw, now)).isNotBlank();
                assertThat(broken).as("rejected as %s, but the rules broken are: %s", r, describe(raw, now))
                        .contains(new Violation(r.field(), r.code()));
            }
        }
    }

    /** What docs/api.md promises of an accepted event, checked on the event itself. */
    private static void checkValid(RawEvent raw, Instant now, UsageEvent e) {
        String what = describe(raw, now);
        assertThat(e.id()).as(what).isEqualTo(raw.id());
        assertThat(e.id().length()).as(what).isBetween(1, EventValidator.MAX_ID_LENGTH);
        assertThat(printable(e.id())).as("printable id: %s", what).isTrue();
        assertThat(e.type()).as(what).isEqualTo(raw.type()).matches(NAME);
        assertThat(e.customer()).as(what).isEqualTo(raw.customer());
        if (e.customer() != null) {
            assertThat(e.customer()).as(what).isNotBlank();
            assertThat(e.customer().length()).as(what).isLessThanOrEqualTo(EventValidator.MAX_ID_LENGTH);
            assertThat(printable(e.customer())).as("printable customer: %s", what).isTrue();
        }
        assertThat(e.timestamp()).as(what).isEqualTo(raw.timestamp() == null ? now : Instant.parse(raw.timestamp()))
                .isBetween(now.minus(WINDOW), now.plus(SKEW));
        Map<String, Object> expected = raw.properties() == null ? Map.of() : raw.properties();
        assertThat(e.properties()).as(what).isEqualTo(expected);
        assertThat(e.properties().size()).as(what).isLessThanOrEqualTo(EventValidator.MAX_PROPERTIES);
        e.properties().forEach((k, v) -> {
            assertThat(k).as(what).matches(NAME);
            assertThat(v).as(what).isInstanceOfAny(String.class, Boolean.class, BigDecimal.class);
            if (v instanceof String text) {
                assertThat(printable(text) && text.length() <= EventValidator.MAX_TEXT_LENGTH).as("printable text: %s", what).isTrue();
            }
            if (v instanceof BigDecimal d) {
                assertThat(inRange(d)).as("%s within %s+%s digits: %s", d, EventValidator.MAX_INTEGER_DIGITS,
                        EventValidator.MAX_FRACTION_DIGITS, what).isTrue();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------- the rules, read independently

    /** Every rule the event breaks (docs/api.md "POST /v1/events"); empty when it is valid. */
    static List<Violation> violations(RawEvent raw, Instant now) {
        List<Violation> out = new ArrayList<>();
        if (raw.id() == null || raw.id().isBlank()) {
            out.add(new Violation("id", "missing_field"));
        } else if (raw.id().length() > EventValidator.MAX_ID_LENGTH || !printable(raw.id())) {
            out.add(new Violation("id", "invalid_id"));
        }
        if (raw.type() == null || raw.type().isBlank()) {
            out.add(new Violation("type", "missing_field"));
        } else if (!NAME.matcher(raw.type()).matches()) {
            out.add(new Violation("type", "invalid_type"));
        }
        if (raw.customer() != null && (raw.customer().isBlank() || raw.customer().length() > EventValidator.MAX_ID_LENGTH
                || !printable(raw.customer()))) {
            out.add(new Violation("customer", "invalid_customer"));
        }
        if (raw.timestamp() != null) {
            Instant t = null;
            try {
                t = Instant.parse(raw.timestamp()); // Rfc3339 accepts exactly what Instant.parse does
            } catch (DateTimeParseException e) {
                out.add(new Violation("timestamp", "invalid_timestamp"));
            }
            if (t != null && t.isBefore(now.minus(WINDOW))) {
                out.add(new Violation("timestamp", "too_late"));
            }
            if (t != null && t.isAfter(now.plus(SKEW))) {
                out.add(new Violation("timestamp", "timestamp_in_future"));
            }
        }
        if (raw.properties() != null) {
            if (raw.properties().size() > EventValidator.MAX_PROPERTIES) {
                out.add(new Violation("properties", "too_many_properties"));
            }
            raw.properties().forEach((k, v) -> {
                String field = "properties." + k;
                if (!NAME.matcher(k).matches()) {
                    out.add(new Violation(field, "invalid_property"));
                }
                if (!(v instanceof String || v instanceof Boolean || v instanceof BigDecimal)) {
                    out.add(new Violation(field, "invalid_property"));
                } else if (v instanceof String text && (text.length() > EventValidator.MAX_TEXT_LENGTH || !printable(text))) {
                    out.add(new Violation(field, "invalid_property"));
                } else if (v instanceof BigDecimal d && !inRange(d)) {
                    out.add(new Violation(field, "number_out_of_range"));
                }
            });
        }
        return out;
    }

    /**
     * Printable: no NUL or other control character (C0, DEL, C1) and no unpaired surrogate — a lone surrogate is not a
     * character at all, and PostgreSQL cannot store one (docs/api.md "Errors").
     */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) { // C0, DEL and C1
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** At most 30 digits before the point and 18 after it, trailing zeros aside; counted in long arithmetic (no int overflow). */
    static boolean inRange(BigDecimal d) {
        if (d.signum() == 0) {
            return true;
        }
        BigInteger unscaled = d.unscaledValue().abs();
        long scale = d.scale();
        while (unscaled.mod(BigInteger.TEN).signum() == 0) {
            unscaled = unscaled.divide(BigInteger.TEN);
            scale--;
        }
        long integerDigits = unscaled.toString().length() - scale;
        long fractionDigits = Math.max(0, scale);
        return integerDigits <= EventValidator.MAX_INTEGER_DIGITS && fractionDigits <= EventValidator.MAX_FRACTION_DIGITS;
    }

    // ---------------------------------------------------------------------------------------------------- generators

    // Timestamps depend on the clock reading, so they are generated as functions of it (a flatMap per try is slow).

    @Provide
    Arbitrary<Case> hostileCases() {
        return Combinators.combine(nows(), ids(), types(), customers(), timestamps(), properties())
                .as((now, id, type, customer, ts, props) -> new Case(new RawEvent(id, type, customer, ts.apply(now), props), now));
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Case> valid = Combinators.combine(nows(), validIds(), validNames(), validCustomers().injectNull(0.3),
                validTimestamps().injectNull(0.2), validProperties())
                .as((now, id, type, customer, ts, props) ->
                        new Case(new RawEvent(id, type, customer, ts == null ? null : ts.apply(now), props), now));
        Arbitrary<Function<Case, Mutation>> id = ids().map(v -> c -> new Mutation(c, "id",
                new RawEvent(v, c.raw().type(), c.raw().customer(), c.raw().timestamp(), c.raw().properties()), "id := " + esc(v)));
        Arbitrary<Function<Case, Mutation>> type = types().map(v -> c -> new Mutation(c, "type",
                new RawEvent(c.raw().id(), v, c.raw().customer(), c.raw().timestamp(), c.raw().properties()), "type := " + esc(v)));
        Arbitrary<Function<Case, Mutation>> customer = customers().map(v -> c -> new Mutation(c, "customer",
                new RawEvent(c.raw().id(), c.raw().type(), v, c.raw().timestamp(), c.raw().properties()), "customer := " + esc(v)));
        Arbitrary<Function<Case, Mutation>> timestamp = timestamps().map(f -> c -> {
            String v = f.apply(c.now());
            return new Mutation(c, "timestamp", new RawEvent(c.raw().id(), c.raw().type(), c.raw().customer(), v, c.raw().properties()),
                    "timestamp := " + esc(v));
        });
        // a new key, or (existing >= 0) an existing one given a new value
        Arbitrary<Function<Case, Mutation>> property = Combinators.combine(propertyNames(), values(), Arbitraries.integers().between(-4, 7))
                .as((name, v, existing) -> c -> {
                    Map<String, Object> p = c.raw().properties() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.raw().properties());
                    String k = existing >= 0 && !p.isEmpty() ? new ArrayList<>(p.keySet()).get(existing % p.size()) : name;
                    p.put(k, v);
                    return new Mutation(c, "properties." + k, new RawEvent(c.raw().id(), c.raw().type(), c.raw().customer(), c.raw().timestamp(), p),
                            "properties." + esc(k) + " := " + show(v));
                });
        // valid entries added up to around the limit
        Arbitrary<Function<Case, Mutation>> many = Arbitraries.integers()
                .between(EventValidator.MAX_PROPERTIES - 3, EventValidator.MAX_PROPERTIES + 3).map(n -> c -> {
                    Map<String, Object> p = c.raw().properties() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.raw().properties());
                    for (int i = 0; p.size() < n; i++) {
                        p.put("extra_" + i, BigDecimal.valueOf(i));
                    }
                    return new Mutation(c, "properties", new RawEvent(c.raw().id(), c.raw().type(), c.raw().customer(), c.raw().timestamp(), p),
                            n + " properties");
                });
        Arbitrary<Function<Case, Mutation>> mutation = Arbitraries.frequencyOf(Tuple.of(2, id), Tuple.of(2, type), Tuple.of(1, customer),
                Tuple.of(2, timestamp), Tuple.of(3, property), Tuple.of(1, many));
        return Combinators.combine(valid, mutation).as((c, m) -> m.apply(c));
    }

    /** Clock readings from 1971 to 2200, with nanoseconds. */
    private static Arbitrary<Instant> nows() {
        return Combinators.combine(Arbitraries.longs().between(31_536_000L, 7_258_118_400L), Arbitraries.longs().between(0, 999_999_999))
                .as(Instant::ofEpochSecond);
    }

    /** Any text at all: any UTF-16 unit (controls, unpaired surrogates, private use), blank, around 128, and very long. */
    private static Arbitrary<String> hostile() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(20)),
                Tuple.of(2, Arbitraries.strings().withChars(" \t\n\r\u000b\f\u001c\u00a0\u1680\u2000\u2028\u3000\u200b\ufeff").ofMaxLength(6)),
                Tuple.of(2, Arbitraries.strings().withCharRange('\ud800', '\udfff').withChars("ab").ofMinLength(1).ofMaxLength(6)),
                Tuple.of(2, Arbitraries.of("", " ", "\u0000", "a\u0000", "\u007f", "\u0085", "\u009f", "\ud800", "\udc00", "a\ud800b",
                        "\udc00\ud800", "\ud83d\ude00", "\ud83d", "null", "NaN", "-0", "1e400", "\"", "\\", "{}", "[]", "%s%n", "\u202e")),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(120).ofMaxLength(140)),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '~').ofMinLength(126).ofMaxLength(130)),
                // very long: a random piece repeated (generating 20,000 random characters one by one is slow)
                Tuple.of(1, Combinators.combine(Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8), Arbitraries.integers().between(130, 2_500))
                        .as(String::repeat)));
    }

    /** Names by {@link EventValidator#NAME_RULE}, lengths 1-64 (64 itself often). */
    private static Arbitrary<String> validNames() {
        StringArbitrary chars = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                .withChars("_.:-");
        return Arbitraries.frequencyOf(Tuple.of(6, chars.ofMinLength(1).ofMaxLength(20)), Tuple.of(1, chars.ofLength(64)),
                Tuple.of(1, chars.ofMinLength(1).ofMaxLength(64)));
    }

    /** Printable, not blank, 1-128 UTF-16 units: ASCII, BMP beyond it and paired surrogates (emoji). */
    private static Arbitrary<String> validIds() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff').withCharRange('\ue000', '\ufffd')
                .ofMinLength(1).ofMaxLength(EventValidator.MAX_ID_LENGTH - 2);
        Arbitrary<String> withEmoji = text.map(s -> s.length() % 3 == 0 ? s + "\ud83d\ude00" : s);
        return Arbitraries.frequencyOf(Tuple.of(5, withEmoji), Tuple.of(1, Arbitraries.strings().withCharRange('!', '~')
                .ofLength(EventValidator.MAX_ID_LENGTH))).filter(s -> !s.isBlank());
    }

    private static Arbitrary<String> validCustomers() {
        return Arbitraries.frequencyOf(Tuple.of(3, validIds()),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(EventValidator.MAX_ID_LENGTH)
                        .filter(s -> !s.isBlank() && printable(s))));
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.frequencyOf(Tuple.of(5, validIds()), Tuple.of(4, hostile()), Tuple.of(1, validNames())).injectNull(0.05);
    }

    private static Arbitrary<String> types() {
        return Arbitraries.frequencyOf(Tuple.of(5, validNames()), Tuple.of(3, hostile()),
                Tuple.of(1, validNames().map(s -> s + "x").map(s -> s.length() > 64 ? s : s + " ")),
                Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(66))).injectNull(0.05);
    }

    private static Arbitrary<String> customers() {
        return Arbitraries.frequencyOf(Tuple.of(4, validCustomers()), Tuple.of(4, hostile())).injectNull(0.25);
    }

    private static final Duration SLACK = Duration.ofDays(2);

    /** Valid RFC 3339 inside [now - window, now + skew], in several spellings. */
    private static Arbitrary<Function<Instant, String>> validTimestamps() {
        Arbitrary<Function<Instant, Instant>> inside = Combinators.combine(Arbitraries.longs().between(-WINDOW.toSeconds(), SKEW.toSeconds() - 1),
                Arbitraries.longs().between(0, 999_999_999)).as((s, n) -> now -> now.plusSeconds(s).plusNanos(n));
        Arbitrary<Function<Instant, Instant>> edges = Arbitraries.of(List.of(now -> now, now -> now.minus(WINDOW), now -> now.plus(SKEW),
                now -> now.minus(WINDOW).plusNanos(1), now -> now.plus(SKEW).minusNanos(1)));
        return Combinators.combine(Arbitraries.frequencyOf(Tuple.of(4, inside), Tuple.of(1, edges)), spellings()).as((at, spelling) -> now -> {
            Instant t = at.apply(now);
            String s = spelling.apply(t);
            Instant read = Instant.parse(s);
            // a spelling with fewer fraction digits truncates the time, which may take an edge outside: then the exact one
            return read.isBefore(now.minus(WINDOW)) || read.isAfter(now.plus(SKEW)) ? t.toString() : s;
        });
    }

    /** Timestamps: valid and near the edges, far away, and garbage. */
    private static Arbitrary<Function<Instant, String>> timestamps() {
        Arbitrary<Function<Instant, Instant>> near = Combinators.combine(
                Arbitraries.longs().between(-WINDOW.plus(SLACK).toSeconds(), SKEW.plus(Duration.ofHours(2)).toSeconds()),
                Arbitraries.longs().between(0, 999_999_999)).as((s, n) -> now -> now.plusSeconds(s).plusNanos(n));
        Arbitrary<Function<Instant, Instant>> edges = Arbitraries.of(List.of(now -> now, now -> now.minus(WINDOW),
                now -> now.minus(WINDOW).minusNanos(1), now -> now.minus(WINDOW).plusNanos(1), now -> now.plus(SKEW),
                now -> now.plus(SKEW).plusNanos(1), now -> now.plus(SKEW).minusNanos(1), now -> now.minus(WINDOW).minusSeconds(1),
                now -> now.plus(SKEW).plusSeconds(1)));
        Arbitrary<Function<Instant, Instant>> far = Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
                .map(s -> now -> Instant.ofEpochSecond(s));
        Arbitrary<Function<Instant, String>> spelled = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(4, near), Tuple.of(2, edges), Tuple.of(1, far)), spellings())
                .as((at, spelling) -> now -> spelling.apply(at.apply(now)));
        Arbitrary<Function<Instant, String>> damaged = Combinators.combine(spelled, Arbitraries.integers().between(0, 40), Arbitraries.chars().all(),
                Arbitraries.integers().between(0, 2)).as((f, at, ch, how) -> now -> {
                    String s = f.apply(now);
                    int i = Math.min(at, s.length());
                    return switch (how) {
                        case 0 -> s.substring(0, i) + ch + s.substring(i);
                        case 1 -> i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s + ch;
                        default -> i < s.length() ? s.substring(0, i) + ch + s.substring(i + 1) : ch + s;
                    };
                });
        Arbitrary<String> garbage = Arbitraries.of("2026-11-22", "2026-11-22T10:15:30", "2026-11-22 10:15:30Z", "1700000000", "2026-02-30T00:00:00Z",
                "2026-11-22T24:00:00Z", "2026-11-22T23:59:60Z", "2026-11-22T10:15:30+18:01", "2026-11-22T10:15:30.1234567890Z", "T", "Z",
                "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "2026-11-22T10:15:30.Z", "２０２６-11-22T10:15:30Z",
                "2026-11-22T10:15:30Z\u0000", "yesterday", "now");
        Arbitrary<Function<Instant, String>> constant = Arbitraries.oneOf(garbage, hostile()).map(s -> now -> s);
        return Arbitraries.frequencyOf(Tuple.of(6, spelled), Tuple.of(2, damaged), Tuple.of(3, constant),
                Tuple.of(1, spelled.map(f -> now -> " " + f.apply(now))), Tuple.of(1, spelled.map(f -> now -> f.apply(now) + "\n")))
                .injectNull(0.1).map(f -> f == null ? now -> null : f);
    }

    /** The spellings RFC 3339 and Instant.parse allow: Z or z, offsets up to ±18:00, 1-9 fraction digits (truncating). */
    private static Arbitrary<Function<Instant, String>> spellings() {
        Arbitrary<Function<Instant, String>> plain = Arbitraries.of(List.of(Instant::toString, t -> t.toString().replace('Z', 'z')));
        Arbitrary<Function<Instant, String>> offset = Arbitraries.integers().between(-18 * 60, 18 * 60).map(minutes -> t -> {
            try {
                return OffsetDateTime.ofInstant(t, ZoneOffset.ofTotalSeconds(minutes * 60)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeException e) {
                return t.toString(); // beyond what LocalDateTime holds
            }
        });
        Arbitrary<Function<Instant, String>> fixedFraction = Arbitraries.integers().between(1, 9).map(digits -> t -> {
            try {
                return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss." + "S".repeat(digits) + "XXX").withZone(ZoneOffset.UTC).format(t);
            } catch (DateTimeException e) {
                return t.toString();
            }
        });
        return Arbitraries.oneOf(plain, offset, fixedFraction);
    }

    private static Arbitrary<String> propertyNames() {
        return Arbitraries.frequencyOf(Tuple.of(7, validNames()), Tuple.of(3, hostile()));
    }

    private static Arbitrary<Map<String, Object>> validProperties() {
        Arbitrary<Object> scalars = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).filter(EventValidatorFuzzTest::printable)
                        .map(x -> (Object) x), Arbitraries.of(true, false),
                Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(-10, 18))
                        .as((u, s) -> (Object) BigDecimal.valueOf(u, s)).filter(v -> inRange((BigDecimal) v)));
        return Combinators.combine(validNames(), scalars).as(EventValidatorFuzzTest::entry).list().ofMaxSize(8).map(entries -> {
            Map<String, Object> m = new LinkedHashMap<>();
            entries.forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        }).injectNull(0.1);
    }

    private static Arbitrary<Map<String, Object>> properties() {
        Arbitrary<Map.Entry<String, Object>> entries = Combinators.combine(propertyNames(), values()).as(EventValidatorFuzzTest::entry);
        return Arbitraries.frequencyOf(Tuple.of(7, entries.list().ofMaxSize(8)),
                Tuple.of(1, entries.list().ofMinSize(EventValidator.MAX_PROPERTIES - 2).ofMaxSize(EventValidator.MAX_PROPERTIES + 6)))
                .map(list -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    list.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                }).injectNull(0.1);
    }

    /** Property values of every JSON kind, and the things an adapter might hand over by mistake. */
    private static Arbitrary<Object> values() {
        Arbitrary<Object> strings = Arbitraries.oneOf(hostile(), Arbitraries.of("1e400", "NaN", "-Infinity", "0x10", "1_000", "", "1024"))
                .map(s -> (Object) s);
        Arbitrary<Object> numbers = numbers().map(d -> (Object) d);
        Arbitrary<Object> booleans = Arbitraries.of(true, false).map(b -> (Object) b);
        Arbitrary<Object> otherNumbers = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0d, 1.5d, Double.MIN_VALUE,
                Float.NaN, 7L, 3, (short) 1, BigInteger.TEN.pow(40), BigInteger.ZERO);
        Arbitrary<Object> scalars = Arbitraries.oneOf(strings, numbers, booleans);
        Arbitrary<Object> arrays = scalars.injectNull(0.2).list().ofMaxSize(4).map(l -> (Object) new ArrayList<>(l));
        Arbitrary<Object> objects = Combinators.combine(propertyNames(), scalars.injectNull(0.2)).as(EventValidatorFuzzTest::entry).list()
                .ofMaxSize(3).map(l -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    l.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return (Object) m;
                });
        Arbitrary<Object> nested = Arbitraries.oneOf(arrays, objects).map(v -> (Object) List.of(v, Map.of("inner", v)));
        Arbitrary<Object> nulls = Arbitraries.just(null);
        return Arbitraries.frequencyOf(Tuple.of(4, strings), Tuple.of(6, numbers), Tuple.of(2, booleans), Tuple.of(2, otherNumbers),
                Tuple.of(1, arrays), Tuple.of(1, objects), Tuple.of(1, nested), Tuple.of(1, nulls));
    }

    /** Exact decimals: long digit strings, tiny and huge exponents (up to ±Integer.MAX_VALUE), zeros in every scale, and the range's edges. */
    private static Arbitrary<BigDecimal> numbers() {
        Arbitrary<String> integerPart = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMaxLength(25);
        Arbitrary<String> exponent = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
                Tuple.of(3, Arbitraries.integers().between(-25, 35).map(e -> "e" + e)),
                Tuple.of(2, Arbitraries.integers().map(e -> "E" + e)),
                Tuple.of(1, Arbitraries.of(Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, 999_999_999, -999_999_999, 400, -19)
                        .map(e -> "e" + e)));
        Arbitrary<BigDecimal> built = Combinators.combine(Arbitraries.of("", "-", "+"), integerPart, fraction, exponent)
                .as((sign, i, f, e) -> parse(sign + i + (f.isEmpty() ? "" : "." + f) + e)).filter(Objects::nonNull);
        Arbitrary<BigDecimal> edges = Arbitraries.of("0", "-0", "0.000", "0E+500", "0E-500", "1e2147483647", "-1E+2147483647", "12e2147483647",
                "100e2147483647", "9e-2147483647", "1e-18", "1e-19", "1e29", "1e30", "999999999999999999999999999999",
                "1000000000000000000000000000000", "123456789012345678901234567890.123456789012345678", "1.500000000000000000000000",
                "0.0000000000000000001", "0.000000000000000001", "1e400", "-1e-400", "1E+2147483646").map(BigDecimal::new);
        return Arbitraries.frequencyOf(Tuple.of(4, built), Tuple.of(1, edges));
    }

    /** A map entry that may hold a null value (JSON null). */
    private static Map.Entry<String, Object> entry(String key, Object value) {
        return new AbstractMap.SimpleEntry<>(key, value);
    }

    private static BigDecimal parse(String s) {
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null; // exponent beyond an int: no adapter can hand this over
        }
    }

    // ---------------------------------------------------------------------------------------------------- printing

    private static String copy(String s) {
        return s == null ? null : new String(s.toCharArray());
    }

    static String describe(RawEvent raw, Instant now) {
        StringBuilder b = new StringBuilder("now=").append(now).append(" id=").append(esc(raw.id())).append(" type=").append(esc(raw.type()))
                .append(" customer=").append(esc(raw.customer())).append(" timestamp=").append(esc(raw.timestamp())).append(" properties=");
        if (raw.properties() == null) {
            b.append("null");
        } else {
            b.append('{');
            raw.properties().forEach((k, v) -> b.append(esc(k)).append('=').append(show(v)).append(", "));
            b.append('}');
        }
        return b.toString();
    }

    private static String show(Object v) {
        return v == null ? "null" : v instanceof String s ? esc(s) : v instanceof BigDecimal d ? "BigDecimal(" + d + ")"
                : v.getClass().getSimpleName() + "(" + (v instanceof Object[] a ? Arrays.toString(a) : esc(String.valueOf(v))) + ")";
    }

    /** Java-escaped and quoted, anything outside printable ASCII as \\uXXXX; long strings shortened. */
    static String esc(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(s.length(), 200);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > n) {
            b.append("…(").append(s.length()).append(" chars)");
        }
        return b.append('"').toString();
    }
}
