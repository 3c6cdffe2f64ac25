package dev.tally.model.messages;

import java.time.Instant;
import java.util.Map;

/**
 * An event that ingest accepted exactly once. Topic {@link Topics#EVENTS_ACCEPTED}; key
 * {@code tenantId/customerId}; JSON; decimals are strings.
 *
 * @param tenantId   the tenant that sent it (from the API key, never from the body)
 * @param customerId Tally's id of the customer the event was attributed to
 * @param customer   the customer reference as sent by the client (external id or alias), or null
 * @param eventId    the client's event id; (tenantId, eventId) is unique across all time
 * @param type       event type, matched against meters
 * @param timestamp  event time, as sent
 * @param properties string, decimal or boolean values
 * @param acceptedAt   when ingest committed it
 * @param attributedBy how the customer was found: {@code customer} (the reference sent), {@code ip},
 *                     {@code hostname} or {@code api_key}
 * @param periodStart  the billing period the event belongs to, decided once when it was accepted (the
 *                     customer's subscription in force at {@code timestamp}, else the calendar month);
 *                     its corrections carry it unchanged, so they land where the event was counted.
 *                     Absent from older producers: the reader decides then.
 * @param periodEnd    that period's exclusive end
 * @param segmentStart where the plan changed during that period: when the phase in force at {@code timestamp} began
 *                     (the event is priced by that plan version); absent when it began at or before the period's
 *                     start. Decided with the period, carried by corrections unchanged.
 */
public record AcceptedEventV1(String tenantId, String customerId, String customer, String eventId, String type,
        Instant timestamp, Map<String, Object> properties, Instant acceptedAt, String attributedBy, Instant periodStart,
        Instant periodEnd, Instant segmentStart) {
    public static final String SCHEMA = "AcceptedEventV1";

    /** In a period the plan did not change in (or decided by an older producer). */
    public AcceptedEventV1(String tenantId, String customerId, String customer, String eventId, String type, Instant timestamp,
            Map<String, Object> properties, Instant acceptedAt, String attributedBy, Instant periodStart, Instant periodEnd) {
        this(tenantId, customerId, customer, eventId, type, timestamp, properties, acceptedAt, attributedBy, periodStart, periodEnd, null);
    }

    /** Without a period (the reader decides it). */
    public AcceptedEventV1(String tenantId, String customerId, String customer, String eventId, String type, Instant timestamp,
            Map<String, Object> properties, Instant acceptedAt, String attributedBy) {
        this(tenantId, customerId, customer, eventId, type, timestamp, properties, acceptedAt, attributedBy, null, null, null);
    }
}
