package dev.tally.model.metering;

import dev.tally.model.event.UsageEvent;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.Observation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An independent recount of usage from accepted events, for reconciliation: it folds a replay of the accepted
 * events and their corrections into each event's final state (the original, else its last amendment; nothing
 * after a retraction; a record read twice counts once), then each meter's quantity per customer, billing period
 * and group with shared-model's accumulators — the definitions rating uses, but none of rating's storage,
 * batching or deltas. A meter's quantity for a period is the sum over its groups (as invoices price it).
 */
public final class Recount {
    /** Event id → its state now (null once retracted); the last correction applied. */
    private final Map<String, AcceptedEventV1> events = new HashMap<>();
    private final Map<String, Integer> corrected = new HashMap<>();
    private long read;
    private long unreadable;

    /** A meter of a customer in a billing period (over all its groups). */
    public record Key(String customerId, String meter, Instant periodStart, Instant periodEnd) {
    }

    /**
     * What the recount finds for a key: the quantity over all groups, how many events it counts, their ids (sorted, at
     * most {@code sample}), and each group's quantity (a grouped meter's only; a matrix charge prices them).
     */
    public record Counted(BigDecimal quantity, long events, List<String> eventIds, Map<Map<String, String>, BigDecimal> groups,
            Map<Instant, Counted> segments) {
        public static final Counted NONE = new Counted(BigDecimal.ZERO, 0, List.of(), Map.of());

        /**
         * @param segments a sum meter's part in each later plan segment of the period, by the segment's start (the
         *                 events stamped with it; {@code eventIds} empty): what prices each segment by its own version
         */
        public Counted {
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            segments = segments == null ? Map.of() : Map.copyOf(segments);
        }

        /** In a period the plan did not change in. */
        public Counted(BigDecimal quantity, long events, List<String> eventIds, Map<Map<String, String>, BigDecimal> groups) {
            this(quantity, events, eventIds, groups, Map.of());
        }
    }

    /** A sum meter's part in one later plan segment: quantity, events and groups. */
    private static final class Part {
        BigDecimal quantity = BigDecimal.ZERO;
        long events;
        final Map<Map<String, String>, BigDecimal> groups = new HashMap<>();
    }

    /** An accepted event as replayed; a second copy of one already known (a re-published record) changes nothing. */
    public void accepted(AcceptedEventV1 e) {
        read++;
        if (!events.containsKey(e.eventId())) {
            events.put(e.eventId(), e);
        }
    }

    /** A correction as replayed: applied once, in sequence order (an older or repeated one changes nothing). */
    public void correction(EventCorrectionV1 c) {
        read++;
        Integer last = corrected.get(c.eventId());
        if (last != null && c.sequence() <= last) {
            return;
        }
        corrected.put(c.eventId(), c.sequence());
        events.put(c.eventId(), EventCorrectionV1.RETRACT.equals(c.kind()) ? null : c.current());
    }

    /** A record of the tenant's that could not be read: it is counted, so the report can say the recount is incomplete. */
    public void unreadable() {
        unreadable++;
    }

    public long unreadableRecords() {
        return unreadable;
    }

    /** How many records were read (events and corrections, duplicates included). */
    public long read() {
        return read;
    }

    /** One event behind a meter's quantity: its final state's time and the value the meter reads (null for COUNT). */
    public record Event(String eventId, Instant timestamp, BigDecimal value, String key, Map<String, String> group) {
    }

    /**
     * Every event (in its final state) that {@code meter} counts for {@code customerId} in the period starting at
     * {@code periodStart}, in event-time order (then id).
     */
    public List<Event> events(MeterDefinition meter, String customerId, Instant periodStart) {
        List<Event> out = new ArrayList<>();
        for (AcceptedEventV1 e : events.values()) {
            if (e == null || !customerId.equals(e.customerId())) {
                continue;
            }
            BillingPeriod period = e.periodStart() != null && e.periodEnd() != null ? new BillingPeriod(e.periodStart(), e.periodEnd())
                    : BillingPeriod.calendarMonthOf(e.timestamp());
            if (!period.start().equals(periodStart)) {
                continue;
            }
            UsageEvent event = new UsageEvent(e.eventId(), e.type(), e.customer(), e.timestamp(), e.properties() == null ? Map.of()
                    : e.properties());
            Observation o = meter.observation(event);
            if (o != null) {
                out.add(new Event(e.eventId(), e.timestamp(), o.value(), o.key(), meter.groupBy().isEmpty() ? Map.of()
                        : meter.group(event).dimensions()));
            }
        }
        out.sort(Comparator.comparing(Event::timestamp).thenComparing(Event::eventId));
        return out;
    }

    /**
     * The quantity of every meter for every customer and period with at least one of the meter's events, keeping at
     * most {@code sample} event ids per key. An event without a stamped period is counted in its UTC calendar month.
     */
    public Map<Key, Counted> count(List<MeterDefinition> meters, int sample) {
        Counter counter = new Counter(meters, sample);
        for (AcceptedEventV1 e : events.values()) {
            if (e != null) {
                counter.add(e);
            }
        }
        return counter.result();
    }

    /** Final states resolved elsewhere, streamed in: each event once, with the sequence of its last correction. */
    @FunctionalInterface
    public interface FinalStates {
        /**
         * Calls {@code sink} once per event: its id, the sequence of its last correction ({@code -1}: none) and its final
         * state ({@code null}: retracted).
         */
        void each(FinalStateSink sink) throws Exception;
    }

    /** One event's final state, as {@link FinalStates} gives it. */
    @FunctionalInterface
    public interface FinalStateSink {
        void accept(String eventId, int sequence, AcceptedEventV1 state);
    }

    /**
     * As {@link #count(List, int)}, with {@code resolved} — the final states of events resolved elsewhere (the event
     * archive's, streamed, so no event is held) — taken before this recount's own records (the topic's tail past the
     * archive): for an event in both, the later version wins — this recount's only if it holds a correction with a
     * higher sequence, else the resolved state (a tail record that repeats what was archived counts once). Every other
     * event of this recount is counted as {@link #count} does. {@code resolvedRecords} and {@code unreadableResolved}
     * are added to {@link #read()} and {@link #unreadableRecords()}.
     */
    public Map<Key, Counted> countWith(List<MeterDefinition> meters, int sample, FinalStates resolved) throws Exception {
        Counter counter = new Counter(meters, sample);
        Map<String, AcceptedEventV1> tail = new HashMap<>(events);
        resolved.each((id, sequence, state) -> {
            Integer tailSequence = corrected.get(id);
            if (tailSequence != null && tailSequence > sequence) {
                return; // the tail corrected it later: the tail's state is counted below
            }
            tail.remove(id);
            if (state != null) {
                counter.add(state);
            }
        });
        for (AcceptedEventV1 e : tail.values()) {
            if (e != null) {
                counter.add(e);
            }
        }
        return counter.result();
    }

    /** Records read elsewhere (the archive's rows): added to {@link #read()}, those that could not be read to {@link #unreadableRecords()}. */
    public void readElsewhere(long records, long unreadableRecords) {
        read += records;
        unreadable += unreadableRecords;
    }

    /**
     * Counts final states one at a time, holding only each key's accumulators and at most {@code sample} event ids: what
     * {@link #count} does over the events it holds, and what a recount streamed from the archive does over its rows.
     */
    public static final class Counter {
        private final List<MeterDefinition> meters;
        private final int sample;
        private final Map<Key, Slot> slots = new HashMap<>();

        /** One key's state: its groups' accumulators, events, sampled ids (the smallest) and plan segments' parts. */
        private static final class Slot {
            final Map<Map<String, String>, Accumulator> groups = new HashMap<>();
            long events;
            final TreeSet<String> ids = new TreeSet<>();
            Map<Instant, Part> parts;
        }

        public Counter(List<MeterDefinition> meters, int sample) {
            this.meters = meters;
            this.sample = sample;
        }

        /** One event in its final state (each event once). */
        public void add(AcceptedEventV1 e) {
            UsageEvent event = new UsageEvent(e.eventId(), e.type(), e.customer(), e.timestamp(), e.properties() == null ? Map.of()
                    : e.properties());
            BillingPeriod period = e.periodStart() != null && e.periodEnd() != null ? new BillingPeriod(e.periodStart(), e.periodEnd())
                    : BillingPeriod.calendarMonthOf(e.timestamp());
            for (MeterDefinition m : meters) {
                Observation o = m.observation(event);
                if (o == null) {
                    continue;
                }
                Slot slot = slots.computeIfAbsent(new Key(e.customerId(), m.key(), period.start(), period.end()), x -> new Slot());
                Map<String, String> group = m.groupBy().isEmpty() ? Map.of() : new TreeMap<>(m.group(event).dimensions());
                Accumulator before = slot.groups.get(group);
                slot.groups.put(group, (before == null ? m.empty(period) : before).add(o));
                slot.events++;
                Instant segment = e.segmentStart();
                if (segment != null && m.aggregation().additive() && segment.isAfter(period.start()) && segment.isBefore(period.end())) {
                    if (slot.parts == null) {
                        slot.parts = new HashMap<>();
                    }
                    Part p = slot.parts.computeIfAbsent(segment, x -> new Part());
                    BigDecimal q = m.contribution(event);
                    p.quantity = p.quantity.add(q);
                    p.events++;
                    if (!group.isEmpty()) {
                        p.groups.merge(group, q, BigDecimal::add);
                    }
                }
                if (sample > 0 && (slot.ids.size() < sample || e.eventId().compareTo(slot.ids.last()) < 0)) {
                    slot.ids.add(e.eventId());
                    if (slot.ids.size() > sample) {
                        slot.ids.pollLast();
                    }
                }
            }
        }

        /** Each key's quantity (summed over its groups), events, sampled ids, groups and plan segments. */
        public Map<Key, Counted> result() {
            Map<Key, Counted> out = new HashMap<>();
            for (Map.Entry<Key, Slot> g : slots.entrySet()) {
                MeterDefinition m = meters.stream().filter(x -> x.key().equals(g.getKey().meter())).findFirst().orElseThrow();
                Slot slot = g.getValue();
                BigDecimal q = BigDecimal.ZERO;
                Map<Map<String, String>, BigDecimal> byGroup = new HashMap<>();
                for (Map.Entry<Map<String, String>, Accumulator> a : slot.groups.entrySet()) {
                    BigDecimal gq = m.quantity(a.getValue());
                    q = q.add(gq);
                    if (!a.getKey().isEmpty()) {
                        byGroup.put(a.getKey(), gq);
                    }
                }
                Map<Instant, Counted> segments = new HashMap<>();
                if (slot.parts != null) {
                    slot.parts.forEach((start, p) -> segments.put(start, new Counted(p.quantity, p.events, List.of(), p.groups)));
                }
                out.put(g.getKey(), new Counted(q, slot.events, new ArrayList<>(slot.ids), byGroup, segments));
            }
            return out;
        }
    }
}
