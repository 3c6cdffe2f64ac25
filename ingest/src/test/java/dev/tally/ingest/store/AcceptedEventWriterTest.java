package dev.tally.ingest.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.platform.json.TallyJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming writer and the platform's ObjectMapper write the same bytes, and they read back equal. */
class AcceptedEventWriterTest {
    private final ObjectMapper json = TallyJson.configure(new ObjectMapper().findAndRegisterModules());

    @Test
    void writesExactlyWhatTheObjectMapperWrites() throws Exception {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bytes", new BigDecimal("12345678901234567890.000000001"));
        props.put("tiny", new BigDecimal("1E-12"));
        props.put("big", new BigDecimal("1E+30"));
        props.put("flag", true);
        props.put("note", "quotes \" backslash \\ tab \t newline \n unicode ü € 😀 control \u0001");
        Instant accepted = Instant.parse("2026-11-22T10:00:00.123456Z");
        List<AcceptedEventV1> events = List.of(
                new AcceptedEventV1("t1", "cus_1", "acme", "e-1", "bandwidth", Instant.parse("2026-11-22T09:59:59Z"), props, accepted, "customer"),
                new AcceptedEventV1("t1", "cus_2", null, "e-2", "t", Instant.parse("2026-11-22T09:59:59.000000001Z"), Map.of(), accepted, "ip"),
                new AcceptedEventV1("t1", "cus_2", null, "e-3", "t", Instant.EPOCH, null, accepted, "api_key"),
                new AcceptedEventV1("t1", "cus_3", "x", "e-4", "t", Instant.EPOCH, Map.of(), accepted, "customer",
                        Instant.parse("2026-11-15T00:00:00Z"), Instant.parse("2026-12-15T00:00:00Z")),
                new AcceptedEventV1("t1", "cus_3", "x", "e-5", "t", Instant.EPOCH, Map.of(), accepted, "customer",
                        Instant.parse("2026-11-15T00:00:00Z"), Instant.parse("2026-12-15T00:00:00Z"), Instant.parse("2026-11-20T12:30:00Z")));
        AcceptedEventWriter writer = new AcceptedEventWriter(json.getFactory());
        for (AcceptedEventV1 e : events) {
            String fast = writer.write(e, accepted.toString());
            assertThat(fast).isEqualTo(json.writeValueAsString(e));
            assertThat(json.readValue(fast, AcceptedEventV1.class).eventId()).isEqualTo(e.eventId());
        }
    }
}
