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
        Map<Key, Map<Map<String, String>, Accumulator>> groups = new HashMap<>();
        Map<Key, Long> counts = new HashMap<>();
        Map<Key, TreeSet<String>> ids = new HashMap<>();
        Map<Key, Map<Instant, Part>> parts = new HashMap<>();
        for (AcceptedEventV1 e : events.values()) {
            if (e == null) {
                continue;
            }
            UsageEvent event = new UsageEvent(e.eventId(), e.type(), e.customer(), e.timestamp(), e.properties() == null ? Map.of()
                    : e.properties());
            BillingPeriod period = e.periodStart() != null && e.periodEnd() != null ? new BillingPeriod(e.periodStart(), e.periodEnd())
                    : BillingPeriod.calendarMonthOf(e.timestamp());
            for (MeterDefinition m : meters) {
                Observation o = m.observation(event);
                if (o == null) {
                    continue;
                }
                Key k = new Key(e.customerId(), m.key(), period.start(), period.end());
                Map<String, String> group = m.groupBy().isEmpty() ? Map.of() : new TreeMap<>(m.group(event).dimensions());
                groups.computeIfAbsent(k, x -> new HashMap<>()).merge(group, m.empty(period).add(o), Accumulator::merge);
                counts.merge(k, 1L, Long::sum);
                Instant segment = e.segmentStart();
                if (segment != null && m.aggregation().additive() && segment.isAfter(period.start()) && segment.isBefore(period.end())) {
                    Part p = parts.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(segment, x -> new Part());
                    BigDecimal q = m.contribution(event);
                    p.quantity = p.quantity.add(q);
                    p.events++;
                    if (!group.isEmpty()) {
                        p.groups.merge(group, q, BigDecimal::add);
                    }
                }
                TreeSet<String> s = ids.computeIfAbsent(k, x -> new TreeSet<>());
                s.add(e.eventId());
                if (s.size() > sample) {
                    s.pollLast();
                }
            }
        }
        Map<Key, Counted> out = new HashMap<>();
        for (Map.Entry<Key, Map<Map<String, String>, Accumulator>> g : groups.entrySet()) {
            MeterDefinition m = meters.stream().filter(x -> x.key().equals(g.getKey().meter())).findFirst().orElseThrow();
            BigDecimal q = BigDecimal.ZERO;
            Map<Map<String, String>, BigDecimal> byGroup = new HashMap<>();
            for (Map.Entry<Map<String, String>, Accumulator> a : g.getValue().entrySet()) {
                BigDecimal gq = m.quantity(a.getValue());
                q = q.add(gq);
                if (!a.getKey().isEmpty()) {
                    byGroup.put(a.getKey(), gq);
                }
            }
            Map<Instant, Counted> segments = new HashMap<>();
            parts.getOrDefault(g.getKey(), Map.of()).forEach((start, p) -> segments.put(start, new Counted(p.quantity, p.events, List.of(),
                    p.groups)));
            out.put(g.getKey(), new Counted(q, counts.get(g.getKey()), new ArrayList<>(ids.get(g.getKey())), byGroup, segments));
        }
        return out;
    }
}
