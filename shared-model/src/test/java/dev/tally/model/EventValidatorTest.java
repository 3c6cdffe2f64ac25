package dev.tally.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.event.EventValidator;
import dev.tally.model.event.RawEvent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventValidatorTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final EventValidator validator = new EventValidator(Duration.ofMinutes(5));

    private EventValidator.Result validate(String id, String type, String customer, String ts, Map<String, Object> props) {
        return validator.validate(new RawEvent(id, type, customer, ts, props), NOW);
    }

    @Test
    void aWellFormedEventIsValidAndKeepsExactDecimals() {
        var result = validate("e1", "bandwidth", "acme", "2026-11-22T11:00:00Z", Map.of("bytes", new BigDecimal("12345678901234567890.5")));
        assertThat(result).isInstanceOf(EventValidator.Valid.class);
        assertThat(((EventValidator.Valid) result).event().decimal("bytes")).isEqualTo(new BigDecimal("12345678901234567890.5"));
    }

    @Test
    void anAbsentTimestampIsTheTimeOfReceiptAndTheWindowIsInclusive() {
        var absent = validate("e", "t", "c", null, Map.of());
        assertThat(((EventValidator.Valid) absent).event().timestamp()).isEqualTo(NOW);
        // exactly 35 days old is still inside the window
        assertThat(validate("e", "t", "c", "2026-10-18T12:00:00Z", Map.of())).isInstanceOf(EventValidator.Valid.class);
        assertThat(validate("e", "a.b:c-d_E9", "c", null, Map.of())).isInstanceOf(EventValidator.Valid.class);
        assertThat(validate("e", "x".repeat(65), "c", null, Map.of())).isInstanceOf(EventValidator.Invalid.class);
    }

    @Test
    void eachProblemNamesItsField() {
        record Case(EventValidator.Result result, String code, String field) {
        }
        List<Case> cases = List.of(
                new Case(validate(null, "t", "c", "2026-11-22T11:00:00Z", Map.of()), "missing_field", "id"),
                new Case(validate("x".repeat(129), "t", "c", "2026-11-22T11:00:00Z", Map.of()), "invalid_id", "id"),
                new Case(validate("e", "bad type", "c", "2026-11-22T11:00:00Z", Map.of()), "invalid_type", "type"),
                new Case(validate("e", "t", " ", "2026-11-22T11:00:00Z", Map.of()), "invalid_customer", "customer"),
                new Case(validate("e", "t", "c", "yesterday", Map.of()), "invalid_timestamp", "timestamp"),
                new Case(validate("e", "t", "c", "2026-11-22T12:06:00Z", Map.of()), "timestamp_in_future", "timestamp"),
                new Case(validate("e", "t", "c", "2026-10-17T11:59:59Z", Map.of()), "too_late", "timestamp"),
                new Case(validate("e", "t", "c", "2026-11-22T11:00:00Z", Map.of("bad name", "x")), "invalid_property", "properties.bad name"),
                new Case(validate("e", "t", "c", "2026-11-22T11:00:00Z", Map.of("nested", Map.of())), "invalid_property", "properties.nested"));
        for (Case c : cases) {
            assertThat(c.result()).isInstanceOf(EventValidator.Invalid.class);
            var rejection = ((EventValidator.Invalid) c.result()).rejection();
            assertThat(rejection.code()).isEqualTo(c.code());
            assertThat(rejection.field()).isEqualTo(c.field());
        }
    }
}
