package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.metering.agg.Observation;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.json.AcceptedEventReader;
import dev.tally.rating.store.PollDeltas.Contribution;
import dev.tally.rating.store.PollDeltas.DayKey;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The fold: what one usage record contributes to the aggregates, by the tenant's meters (from the catalog read model),
 * into (customer, meter, billing period, group) and (customer, meter, UTC day, group). Reads, never writes:
 * {@link PollDeltas} collects the contributions and {@link Aggregates} stores them.
 */
@ApplicationScoped
class Fold {
    @Inject
    CatalogView catalog;
    @Inject
    ObjectMapper json;
    private AcceptedEventReader events;

    @PostConstruct
    void init() {
        events = new AcceptedEventReader(json); // the accepted events without databind: a third of rating's CPU was reading them
    }

    /** A record's contributions; {@code acceptedAt} when ingest accepted it (an accepted event's, else null). */
    record Rated(List<Contribution> contributions, Instant acceptedAt) {
    }

    /**
     * Everything the record contributes, worked out before any of it is applied: a record that cannot be read or
     * rated throws, and is set aside whole, never half-counted.
     */
    Rated rate(ConsumerRecord<String, String> r, String schema) throws Exception {
        List<Contribution> contributions = new ArrayList<>();
        if (EventCorrectionV1.SCHEMA.equals(schema)) {
            // a retraction or amendment: take the event out as it stood, put it back in as it stands now
            EventCorrectionV1 correction = json.readValue(r.value(), EventCorrectionV1.class);
            rate(correction.previous(), -1, contributions);
            if (correction.current() != null) {
                rate(correction.current(), 1, contributions);
            }
            return new Rated(contributions, null);
        }
        if (AcceptedEventV1.SCHEMA.equals(schema) || schema == null) {
            AcceptedEventV1 event = events.read(r.value());
            rate(event, 1, contributions);
            return new Rated(contributions, event.acceptedAt());
        }
        throw new IllegalArgumentException("unknown schema '" + schema + "'");
    }

    /**
     * Adds ({@code sign} 1) or takes out ({@code sign} -1) one event's contribution to every meter it
     * matches, in the billing period of its customer's subscription at the event's time (calendar
     * month without one), in its group, and on its UTC day.
     */
    private void rate(AcceptedEventV1 e, int sign, List<Contribution> out) throws Exception {
        if (e == null || e.tenantId() == null || e.customerId() == null || e.timestamp() == null) {
            throw new IllegalArgumentException("an event needs tenantId, customerId and timestamp");
        }
        UsageEvent event = new UsageEvent(e.eventId(), e.type(), e.customer(), e.timestamp(),
                e.properties() == null ? Map.of() : e.properties());
        BillingPeriod period = null;
        LocalDate day = LocalDate.ofInstant(e.timestamp(), ZoneOffset.UTC);
        for (MeterDefinition meter : catalog.definitions(e.tenantId())) {
            boolean additive = meter.aggregation().additive();
            BigDecimal contribution = additive ? meter.contribution(event) : BigDecimal.ZERO;
            Observation observation = additive ? null : meter.observation(event);
            if (contribution == null || (!additive && observation == null)) {
                continue; // not the meter's event, or without the value it reads
            }
            if (period == null) {
                // decided by ingest when the event was accepted (so a correction lands where the event was counted);
                // older records without it: the subscription in force now
                period = e.periodStart() != null && e.periodEnd() != null ? new BillingPeriod(e.periodStart(), e.periodEnd())
                        : catalog.periodOf(e.tenantId(), e.customerId(), e.timestamp());
            }
            Map<String, String> group = meter.groupBy().isEmpty() ? Map.of() : meter.group(event).dimensions();
            String dims = group.isEmpty() ? "{}" : json.writeValueAsString(group);
            out.add(new Contribution(new AggKey(e.tenantId(), e.customerId(), meter.key(), period.start(), dims),
                    new DayKey(e.tenantId(), e.customerId(), meter.key(), day, dims), period, group, contribution, meter, observation, sign,
                    e.eventId(), segment(e, period)));
        }
    }

    /**
     * The later plan segment of its period the event is priced in, as ingest stamped it; null for the first segment
     * (and for a stamp outside the period, which no producer writes).
     */
    private static Instant segment(AcceptedEventV1 e, BillingPeriod period) {
        Instant s = e.segmentStart();
        return s != null && s.isAfter(period.start()) && s.isBefore(period.end()) ? s : null;
    }
}
