package dev.tally.rating.store;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Observation;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one poll changes in the aggregates, collected before anything is written: a delta per aggregate (period and
 * group) and per UTC day, and the observations of non-additive meters. {@link Fold} works out the contributions,
 * {@link Aggregates} writes them.
 */
final class PollDeltas {
    /** Event ids sampled per day and group. */
    static final int DAY_SAMPLES = 3;

    /** One meter of one customer on one UTC day, in one group. */
    record DayKey(String tenantId, String customerId, String meterKey, LocalDate day, String dimensions) {
    }

    /** The poll's change to one aggregate or day. */
    static final class Delta {
        Instant periodEnd;
        Map<String, String> dimensions;
        BigDecimal quantity = BigDecimal.ZERO;
        long events;
        String traceparent;
        String state; // a non-additive meter's accumulator (see NonAdditive), else null
        List<String> samples; // a day's first few event ids (usage_daily only)
        Map<Instant, Part> segments; // a sum meter's part in each later plan segment (usage_aggregate only), else null
    }

    /** A delta's part in one later segment of its period (see {@link dev.tally.model.messages.AcceptedEventV1#segmentStart}). */
    static final class Part {
        BigDecimal quantity = BigDecimal.ZERO;
        long events;
    }

    /**
     * One event's part in one meter: its period aggregate and its day, with the amount (additive meters) or the
     * observation (the others: amount 0) and the direction.
     */
    record Contribution(AggKey agg, DayKey day, BillingPeriod period, Map<String, String> dimensions, BigDecimal amount,
            MeterDefinition meter, Observation observation, int sign, String eventId, Instant segmentStart) {
        Instant periodEnd() {
            return period.end();
        }
    }

    final Map<AggKey, Delta> periods = new LinkedHashMap<>();
    final Map<DayKey, Delta> days = new LinkedHashMap<>();
    final Map<AggKey, NonAdditive.Work> nonAdditive = new LinkedHashMap<>();

    /** Adds one contribution of a record whose snapshots carry {@code trace}. */
    void add(Contribution k, String trace) {
        Delta d = periods.computeIfAbsent(k.agg(), x -> new Delta());
        d.periodEnd = k.periodEnd();
        d.dimensions = k.dimensions();
        if (k.observation() != null) {
            // non-additive: the quantity moves once the poll's observations are stored (Aggregates.foldNonAdditive);
            // the day keeps the event count, its value is computed from the observations when read
            nonAdditive.computeIfAbsent(k.agg(), x -> new NonAdditive.Work(k.meter(), k.period()))
                    .ops.add(new NonAdditive.Op(k.observation(), k.sign()));
        }
        add(d, k.amount(), k.sign(), trace);
        if (k.segmentStart() != null && k.observation() == null) {
            if (d.segments == null) {
                d.segments = new LinkedHashMap<>();
            }
            Part part = d.segments.computeIfAbsent(k.segmentStart(), x -> new Part());
            part.quantity = k.sign() > 0 ? part.quantity.add(k.amount()) : part.quantity.subtract(k.amount());
            part.events += k.sign();
        }
        Delta day = days.computeIfAbsent(k.day(), x -> new Delta());
        add(day, k.amount(), k.sign(), trace);
        if (k.sign() > 0) {
            if (day.samples == null) {
                day.samples = new ArrayList<>(DAY_SAMPLES);
            }
            if (day.samples.size() < DAY_SAMPLES) {
                day.samples.add(k.eventId());
            }
        }
    }

    private static void add(Delta d, BigDecimal contribution, int sign, String trace) {
        d.quantity = sign > 0 ? d.quantity.add(contribution) : d.quantity.subtract(contribution);
        d.events += sign;
        d.traceparent = trace;
    }
}
