package dev.tally.model.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A recount streamed from the archive ({@link Recount#countWith}: the archive's part resolved to final states elsewhere,
 * the topic's tail folded here) counts exactly what a recount of the whole topic does, wherever the archive ends.
 */
class RecountTest {
    private static final Instant T0 = Instant.parse("2026-11-03T10:00:00Z");
    private static final List<MeterDefinition> METERS = List.of(new MeterDefinition("bytes", "b", Aggregation.SUM, "bytes"),
            new MeterDefinition("peak", "b", Aggregation.MAX, "bytes"), new MeterDefinition("n", "b", Aggregation.COUNT, null));

    /** A record on the topic: an accepted event (sequence -1) or a correction. */
    private record Rec(String eventId, int sequence, String kind, AcceptedEventV1 state) {
    }

    @Test
    void aCorrectionInTheTailNewerThanTheArchiveWinsAndAnOlderOneOrACopyCountsOnce() throws Exception {
        Recount tail = new Recount();
        tail.accepted(event("e1", "c", 5)); // re-published copy of an archived event
        tail.correction(correction("e2", 2, EventCorrectionV1.AMEND, event("e2", "c", 70))); // newer than the archive's
        tail.correction(correction("e3", 1, EventCorrectionV1.AMEND, event("e3", "c", 900))); // the archive already has sequence 2
        tail.correction(correction("e4", 1, EventCorrectionV1.RETRACT, null)); // retracts an archived event
        tail.accepted(event("e5", "c", 11)); // only in the tail
        Map<Recount.Key, Recount.Counted> counted = tail.countWith(METERS, 10, sink -> {
            sink.accept("e1", -1, event("e1", "c", 5));
            sink.accept("e2", 1, event("e2", "c", 20));
            sink.accept("e3", 2, event("e3", "c", 30));
            sink.accept("e4", -1, event("e4", "c", 1000));
            sink.accept("e6", 1, null); // retracted in the archive
        });
        Recount.Counted bytes = counted.get(new Recount.Key("c", "bytes", Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z")));
        assertThat(bytes.quantity()).isEqualByComparingTo("116"); // 5 + 70 + 30 + 11
        assertThat(bytes.events()).isEqualTo(4);
        assertThat(bytes.eventIds()).containsExactly("e1", "e2", "e3", "e5");
        // no sample asked for: none kept, the same counts
        Recount.Counted unsampled = tail.count(METERS, 0).values().iterator().next();
        assertThat(unsampled.eventIds()).isEmpty();
        assertThat(unsampled.events()).isPositive();
    }

    @Property(tries = 200)
    void streamingTheArchivesFinalStatesCountsWhatTheWholeTopicCounts(@ForAll long seed, @ForAll @IntRange(min = 0, max = 120) int archived) throws Exception {
        List<Rec> topic = topic(new Random(seed));
        int split = Math.min(archived, topic.size());
        Recount whole = new Recount();
        topic.forEach(r -> fold(whole, r));
        Recount tail = new Recount();
        topic.subList(split, topic.size()).forEach(r -> fold(tail, r));
        // the archive's part resolved as DuckDB does: per event, the version with the highest sequence
        Map<String, Rec> resolved = new LinkedHashMap<>();
        for (Rec r : topic.subList(0, split)) {
            resolved.merge(r.eventId(), r, (a, b) -> b.sequence() > a.sequence() ? b : a);
        }
        Map<Recount.Key, Recount.Counted> streamed = tail.countWith(METERS, 1000, sink -> resolved.values().forEach(r -> sink.accept(r.eventId(),
                r.sequence(), EventCorrectionV1.RETRACT.equals(r.kind()) ? null : r.state())));
        assertThat(streamed).isEqualTo(whole.count(METERS, 1000));
    }

    /** Events, re-published copies, and amendments and retractions with rising sequences, in topic order. */
    private static List<Rec> topic(Random random) {
        List<Rec> out = new ArrayList<>();
        Map<String, Integer> sequences = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            int pick = random.nextInt(10);
            if (pick < 5 || out.isEmpty()) {
                String id = "e" + out.size();
                out.add(new Rec(id, -1, null, event(id, "c" + random.nextInt(3), random.nextInt(1000))));
                sequences.put(id, 0);
            } else if (pick < 7) {
                out.add(out.get(random.nextInt(out.size()))); // a re-published record, read twice
            } else {
                String id = out.get(random.nextInt(out.size())).eventId();
                int sequence = sequences.merge(id, 1, Integer::sum);
                boolean retract = random.nextInt(4) == 0;
                out.add(new Rec(id, sequence, retract ? EventCorrectionV1.RETRACT : EventCorrectionV1.AMEND, retract ? null : event(id, "c"
                        + random.nextInt(3), random.nextInt(1000))));
            }
        }
        return out;
    }

    private static void fold(Recount recount, Rec r) {
        if (r.sequence() < 0) {
            recount.accepted(r.state());
        } else {
            recount.correction(correction(r.eventId(), r.sequence(), r.kind(), r.state()));
        }
    }

    private static AcceptedEventV1 event(String id, String customer, long bytes) {
        return new AcceptedEventV1("t", customer, customer, id, "b", T0.plusSeconds(bytes), Map.of("bytes", BigDecimal.valueOf(bytes)), T0, "customer");
    }

    private static EventCorrectionV1 correction(String id, int sequence, String kind, AcceptedEventV1 current) {
        return new EventCorrectionV1("t", current == null ? "c" : current.customerId(), id, kind, sequence, null, current, "test", "key:k", T0);
    }
}
