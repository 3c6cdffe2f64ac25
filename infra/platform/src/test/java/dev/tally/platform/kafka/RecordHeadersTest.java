package dev.tally.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Headers read from their bytes answer what parsing their text would. */
class RecordHeadersTest {
    private static ConsumerRecord<String, String> with(String name, String value) {
        ConsumerRecord<String, String> r = new ConsumerRecord<>("t", 0, 0, "k", "v");
        r.headers().add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Property(tries = 300)
    void aNumberIsWhatLongParseLongReads(@ForAll long n) {
        assertThat(RecordHeaders.number(with("n", Long.toString(n)), "n")).isEqualTo(n);
    }

    @Example
    void whatIsNotANumberFailsAsLongParseLongDoes() {
        for (String bad : new String[] {"", "12a", "1 2", "99999999999999999999"}) {
            assertThatThrownBy(() -> RecordHeaders.number(with("n", bad), "n")).as(bad).isInstanceOf(NumberFormatException.class);
        }
        assertThat(RecordHeaders.number(with("n", "+17"), "n")).isEqualTo(17);
        assertThat(RecordHeaders.number(with("n", "٣"), "n")).isEqualTo(Long.parseLong("٣")); // a Unicode digit, as parseLong reads it
        assertThatThrownBy(() -> RecordHeaders.number(with("x", "1"), "n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void isComparesTheWholeValue() {
        assertThat(RecordHeaders.is(with("s", "AcceptanceMarkerV1"), "s", "AcceptanceMarkerV1")).isTrue();
        assertThat(RecordHeaders.is(with("s", "AcceptanceMarkerV2"), "s", "AcceptanceMarkerV1")).isFalse();
        assertThat(RecordHeaders.is(with("s", "AcceptanceMarker"), "s", "AcceptanceMarkerV1")).isFalse();
        assertThat(RecordHeaders.is(with("s", null), "s", "AcceptanceMarkerV1")).isFalse();
        assertThat(RecordHeaders.is(with("other", "AcceptanceMarkerV1"), "s", "AcceptanceMarkerV1")).isFalse();
    }
}
