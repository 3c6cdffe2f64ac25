package dev.tally.platform.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.AcceptedEventV1;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The streaming reader makes exactly the record the platform's ObjectMapper makes, from every shape a producer writes. */
class AcceptedEventReaderTest {
    private final ObjectMapper json = TallyJson.configure(new ObjectMapper().findAndRegisterModules())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // as Quarkus configures it
    private final AcceptedEventReader reader = new AcceptedEventReader(json);

    @Property(tries = 500)
    void readsWhatTheMapperReads(@ForAll("events") AcceptedEventV1 e) throws Exception {
        String written = json.writeValueAsString(e);
        assertThat(reader.read(written)).isEqualTo(json.readValue(written, AcceptedEventV1.class)).isEqualTo(e);
    }

    @Property(tries = 300)
    void handWrittenShapesToo(@ForAll("texts") String text) throws Exception {
        AcceptedEventV1 expected;
        try {
            expected = json.readValue(text, AcceptedEventV1.class);
        } catch (Exception x) {
            assertThatThrownBy(() -> reader.read(text)).isInstanceOf(x.getClass());
            return;
        }
        assertThat(reader.read(text)).isEqualTo(expected);
    }

    @Example
    void numbersInPropertiesAreTheMappersTypes() throws Exception {
        String text = """
                {"tenantId":"t","customerId":"c","eventId":"e","type":"x","timestamp":"2026-11-20T10:00:00.5+01:00",
                 "properties":{"n":7,"big":12345678901234,"d":1.50,"s":"1.50","b":true,"z":null},"unknown":"ignored"}""";
        AcceptedEventV1 e = reader.read(text);
        assertThat(e).isEqualTo(json.readValue(text, AcceptedEventV1.class));
        assertThat(e.properties().get("n")).isEqualTo(7);
        assertThat(e.properties().get("big")).isEqualTo(12345678901234L);
        assertThat(e.properties().get("d")).isEqualTo(new BigDecimal("1.50"));
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-11-20T09:00:00.5Z"));
    }

    @Provide
    Arbitrary<AcceptedEventV1> events() {
        Arbitrary<Instant> instant = Arbitraries.longs().between(0, 4_102_444_800L).flatMap(s -> Arbitraries.integers().between(0, 999_999_999)
                .map(n -> Instant.ofEpochSecond(s, n % 3 == 0 ? 0 : n)));
        Arbitrary<String> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(12).withChars("abcé\"\\/\n ü_-0123456789");
        Arbitrary<Object> value = Arbitraries.oneOf(text.map(s -> (Object) s), Arbitraries.of(Boolean.TRUE, Boolean.FALSE),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e6"), new BigDecimal("1e6")).ofScale(3).map(d -> (Object) d.toPlainString()));
        Arbitrary<Map<String, Object>> props = Arbitraries.maps(text, value).ofMaxSize(5).map(m -> (Map<String, Object>) new LinkedHashMap<>(m))
                .injectNull(0.1);
        return Combinators.combine(text, text.injectNull(0.3), instant, props, instant.injectNull(0.3), instant.injectNull(0.5),
                instant.injectNull(0.7), Arbitraries.of("customer", "ip", "api_key")).as((id, customer, ts, p, period, end, segment, by) ->
                        new AcceptedEventV1("t_1", "cus_1", customer, id, "bandwidth", ts, p, ts.plusSeconds(1), by, period, end, segment));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of(
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"\"}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":1700000000000}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"not a time\"}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"2026-11-20T10:00:00Z\",\"properties\":{\"a\":{\"b\":1}}}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"2026-11-20T10:00:00Z\",\"properties\":{\"a\":[1,2]}}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"2026-02-30T10:00:00Z\"}",
                "{\"tenantId\":\"t\",\"eventId\":\"e\",\"timestamp\":\"2026-11-20T24:00:00Z\"}",
                "{\"tenantId\":7,\"eventId\":\"e\"}",
                "{\"tenantId\":\"t\",\"properties\":null,\"customer\":null}",
                "[]", "{}", "{\"tenantId\":\"t\"} trailing", "{\"tenantId\":\"t\",\"tenantId\":\"u\"}",
                "{\"tenantId\":\"t\",\"timestamp\":\"2026-11-20T10:00:00.123456789-05:30\",\"periodStart\":\"2026-11-01T00:00:00Z\"}");
    }
}
