package dev.tally.rating.api;

import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.Observation;
import dev.tally.rating.store.UsageQueries;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-day and per-group values of a non-additive meter over a range of UTC days, folded from its stored
 * observations with the meter's shared-model accumulator (the same one rating keeps per period):
 * <ul>
 * <li>a day's value is the sum, over groups (and over billing periods, where one ends mid-day), of the meter's
 * value over that day's observations — e.g. the day's peak for MAX;</li>
 * <li>a group's value over the range is the meter's value over the group's observations in the range (a
 * time-weighted sum integrates each billing period's part of the range, a level holding from the period's
 * earlier samples, and adds the parts);</li>
 * <li>the meter's value over the range is the sum of its groups', as for pricing. Over exactly one billing
 * period, each group's value equals its stored aggregate.</li>
 * </ul>
 */
final class NonAdditiveUsage {
    record Result(Map<LocalDate, BigDecimal> days, Map<String, BigDecimal> groups) {
    }

    private NonAdditiveUsage() {
    }

    private record Bucket(String dimensions, Instant periodStart) {
    }

    static Result of(MeterDefinition meter, List<UsageQueries.ObservationRow> rows, LocalDate from, LocalDate to) {
        Instant rangeStart = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant rangeEnd = to.atStartOfDay(ZoneOffset.UTC).toInstant();
        boolean integral = meter.aggregation() == Aggregation.TIME_WEIGHTED_SUM;
        Map<Bucket, List<Observation>> buckets = new TreeMap<>(Comparator.comparing(Bucket::dimensions)
                .thenComparing(Bucket::periodStart));
        Map<Bucket, Instant> periodEnds = new HashMap<>();
        for (UsageQueries.ObservationRow r : rows) {
            Bucket b = new Bucket(r.dimensions(), r.periodStart());
            buckets.computeIfAbsent(b, x -> new ArrayList<>()).add(r.observation());
            periodEnds.put(b, r.periodEnd());
        }
        Map<LocalDate, BigDecimal> days = new TreeMap<>();
        Map<String, BigDecimal> groups = new TreeMap<>();
        Map<String, Accumulator> groupAcc = new TreeMap<>();
        for (Map.Entry<Bucket, List<Observation>> e : buckets.entrySet()) {
            List<Observation> sorted = new ArrayList<>(e.getValue());
            sorted.sort(Observation.EVENT_ORDER);
            Instant pStart = e.getKey().periodStart();
            Instant pEnd = periodEnds.get(e.getKey());
            for (LocalDate d = from; d.isBefore(to); d = d.plusDays(1)) {
                Instant ws = max(d.atStartOfDay(ZoneOffset.UTC).toInstant(), pStart);
                Instant we = min(d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), pEnd);
                if (ws.isBefore(we)) {
                    Accumulator acc = window(meter, sorted, ws, we, integral);
                    if (!acc.isEmpty()) {
                        days.merge(d, meter.quantity(acc), BigDecimal::add);
                    }
                }
            }
            Instant gs = max(rangeStart, pStart);
            Instant ge = min(rangeEnd, pEnd);
            if (!gs.isBefore(ge)) {
                continue;
            }
            Accumulator acc = window(meter, sorted, gs, ge, integral);
            if (acc.isEmpty()) {
                continue;
            }
            if (integral) {
                groups.merge(e.getKey().dimensions(), meter.quantity(acc), BigDecimal::add);
            } else {
                groupAcc.merge(e.getKey().dimensions(), acc, Accumulator::merge);
            }
        }
        groupAcc.forEach((dims, acc) -> groups.put(dims, meter.quantity(acc)));
        return new Result(days, groups);
    }

    /**
     * The accumulator over [start, end) of a period's sorted observations: those inside, plus for a time-weighted
     * sum the last one before (its level holds at the start).
     */
    private static Accumulator window(MeterDefinition meter, List<Observation> sorted, Instant start, Instant end, boolean integral) {
        List<Observation> in = new ArrayList<>();
        Observation carried = null;
        for (Observation o : sorted) {
            if (o.timestamp().isBefore(start)) {
                carried = o;
            } else if (o.timestamp().isBefore(end)) {
                in.add(o);
            } else {
                break;
            }
        }
        if (integral && carried != null) {
            in.add(0, carried);
        }
        return meter.empty(new BillingPeriod(start, end)).addAll(in);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
