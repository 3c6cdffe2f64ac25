package dev.tally.model.subscription;

import dev.tally.model.metering.BillingPeriod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A customer's subscription: active on [{@code start}, {@code end}) ({@code end} null: open-ended),
 * billed by {@code cycle}, free until {@code trialEnd} (null: no trial), priced by the plan version of
 * the phase in force. Phases are ordered by {@code effectiveAt}; the first starts with the
 * subscription, and a later phase (an upgrade, a downgrade or a scheduled plan migration) replaces the
 * one before it from its instant on.
 */
public record Subscription(String subscriptionId, String customerId, Instant start, Instant end, BillingCycle cycle, Instant trialEnd,
        List<Phase> phases) {

    /** Why a phase began. */
    public enum Reason { START, CHANGE, MIGRATION }

    /** From {@code effectiveAt} on, the subscription is priced by {@code planKey} version {@code planVersion}. */
    public record Phase(Instant effectiveAt, String planKey, int planVersion, Reason reason, String migrationId) {
    }

    public Subscription {
        if (start == null) {
            throw new InvalidSubscriptionException("start", "is required");
        }
        if (end != null && !end.isAfter(start)) {
            throw new InvalidSubscriptionException("end", "must be after start (" + start + ")");
        }
        if (cycle == null) {
            throw new InvalidSubscriptionException("cycle", "is required");
        }
        if (trialEnd != null && (trialEnd.isBefore(start) || (end != null && trialEnd.isAfter(end)))) {
            throw new InvalidSubscriptionException("trialEnd", "must lie within the subscription");
        }
        if (phases == null || phases.isEmpty()) {
            throw new InvalidSubscriptionException("phases", "a subscription needs a plan");
        }
        List<Phase> sorted = new ArrayList<>(phases);
        sorted.sort(Comparator.comparing(Phase::effectiveAt));
        if (!sorted.get(0).effectiveAt().equals(start)) {
            throw new InvalidSubscriptionException("phases[0].effectiveAt", "the first phase must begin at the start");
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).effectiveAt().equals(sorted.get(i - 1).effectiveAt())) {
                throw new InvalidSubscriptionException("phases[" + i + "].effectiveAt", "two phases begin at " + sorted.get(i).effectiveAt());
            }
            if (end != null && !sorted.get(i).effectiveAt().isBefore(end)) {
                throw new InvalidSubscriptionException("phases[" + i + "].effectiveAt", "begins after the subscription ends");
            }
        }
        phases = List.copyOf(sorted);
    }

    public boolean activeAt(Instant t) {
        return !t.isBefore(start) && (end == null || t.isBefore(end));
    }

    /** The phase in force at {@code t}; empty outside the subscription. */
    public Optional<Phase> phaseAt(Instant t) {
        if (!activeAt(t)) {
            return Optional.empty();
        }
        Phase current = phases.get(0);
        for (Phase p : phases) {
            if (p.effectiveAt().isAfter(t)) {
                break;
            }
            current = p;
        }
        return Optional.of(current);
    }

    public boolean inTrialAt(Instant t) {
        return trialEnd != null && activeAt(t) && t.isBefore(trialEnd);
    }

    /**
     * The billing period containing {@code t}, cut to the subscription: the first and the last period
     * may be partial (prorated by seconds when invoiced). Empty outside the subscription.
     */
    public Optional<BillingPeriod> periodAt(Instant t) {
        if (!activeAt(t)) {
            return Optional.empty();
        }
        BillingPeriod full = cycle.periodContaining(t);
        Instant s = full.start().isBefore(start) ? start : full.start();
        Instant e = end != null && end.isBefore(full.end()) ? end : full.end();
        return Optional.of(new BillingPeriod(s, e));
    }

    /**
     * A part of a billing period with one plan version in force: [{@code from}, {@code to}) and its phase. A period
     * the plan did not change in is one segment.
     */
    public record Segment(Instant from, Instant to, Phase phase) {
    }

    /**
     * Where usage at {@code t} falls inside its billing period: the instant the phase in force at {@code t} began, when
     * that lies inside the period (after its start) — the plan changed during the period. Empty otherwise: the usage
     * belongs to the period's first segment. Ingest stamps it on each accepted event, with the period.
     */
    public Optional<Instant> segmentAt(Instant t) {
        Optional<BillingPeriod> period = periodAt(t);
        Optional<Phase> phase = phaseAt(t);
        if (period.isEmpty() || phase.isEmpty() || !phase.get().effectiveAt().isAfter(period.get().start())) {
            return Optional.empty();
        }
        return Optional.of(phase.get().effectiveAt());
    }

    /**
     * {@code period} cut to this subscription and at each plan change in it, in time order: one segment per phase in
     * force during the period. Empty when the subscription is not active in the period.
     */
    public List<Segment> segments(BillingPeriod period) {
        Instant from = period.start().isBefore(start) ? start : period.start();
        Instant to = end != null && end.isBefore(period.end()) ? end : period.end();
        List<Segment> out = new ArrayList<>();
        if (!from.isBefore(to)) {
            return out;
        }
        Phase current = phaseAt(from).orElseThrow();
        Instant segmentStart = from;
        for (Phase p : phases) {
            if (p.effectiveAt().isAfter(from) && p.effectiveAt().isBefore(to)) {
                out.add(new Segment(segmentStart, p.effectiveAt(), current));
                current = p;
                segmentStart = p.effectiveAt();
            }
        }
        out.add(new Segment(segmentStart, to, current));
        return out;
    }

    /** Whether this subscription and {@code other} are both active at some instant. */
    public boolean overlaps(Subscription other) {
        boolean thisEndsFirst = end != null && !end.isAfter(other.start);
        boolean otherEndsFirst = other.end != null && !other.end.isAfter(start);
        return !thisEndsFirst && !otherEndsFirst;
    }

    /** This subscription with {@code phase} added: it replaces what was in force from its instant on. */
    public Subscription withPhase(Phase phase) {
        if (!activeAt(phase.effectiveAt())) {
            throw new InvalidSubscriptionException("effectiveAt", "must lie within the subscription [" + start + ", "
                    + (end == null ? "open" : end.toString()) + ")");
        }
        List<Phase> next = new ArrayList<>(phases);
        next.add(phase);
        return new Subscription(subscriptionId, customerId, start, end, cycle, trialEnd, next);
    }
}
