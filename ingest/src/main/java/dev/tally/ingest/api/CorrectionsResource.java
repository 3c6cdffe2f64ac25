package dev.tally.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ingest.config.IngestConfig;
import dev.tally.ingest.intake.Triage;
import dev.tally.ingest.store.Corrections;
import dev.tally.model.event.EventValidator;
import dev.tally.model.event.RawEvent;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.tracing.TraceContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Corrections of accepted events: retraction ({@code POST /v1/events/retract}) and amendment of
 * properties ({@code POST /v1/events/amend}), each with a required reason, recorded with the caller's
 * key as actor and carried to rating on {@code tally.events.accepted}, which re-rates. An event's
 * history: {@code GET /v1/events/{id}}.
 *
 * <p>Amendment replaces the properties only: the event keeps its id, type, time and customer (an
 * amended {@code ip} or {@code hostname} does not re-attribute it). A retracted event stays retracted,
 * and its id stays taken (sending it again is a duplicate).
 */
@Path("/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CorrectionsResource {
    public static final int MAX_REASON = 500;

    @Inject
    Corrections corrections;
    @Inject
    IngestConfig config;
    @Inject
    Triage triage;

    @Inject
    Clock clock;

    /** {@code ids}: the events to retract; {@code reason}: why (required, kept in the audit record). */
    public record RetractRequest(List<String> ids, String reason) {
    }

    /** {@code events}: each an {@code id} and its complete new {@code properties}; {@code reason} as for retract. */
    public record AmendRequest(List<Amendment> events, String reason) {
    }

    public record Amendment(String id, JsonNode properties) {
    }

    /** One result per asked-for event, in order. */
    public record CorrectionsResponse(int corrected, int notCorrected, List<Corrections.Outcome> results) {
    }

    /** An event as accepted and as it stands now, with every correction. */
    public record EventView(String id, String status, Instant acceptedAt, AcceptedEventV1 original, AcceptedEventV1 current,
            List<Corrections.Entry> corrections) {
    }

    @POST
    @Path("retract")
    public CorrectionsResponse retract(RetractRequest body, @Context ContainerRequestContext request) {
        Tenant tenant = (Tenant) request.getProperty(Tenant.PROPERTY);
        if (body == null || body.ids() == null || body.ids().isEmpty()) {
            throw ProblemException.badRequest("missing-ids", "give the ids of the events to retract: {\"ids\": [ … ], \"reason\": \"…\"}",
                    "ids");
        }
        checkSize(body.ids().size(), "ids");
        String reason = reason(body.reason());
        List<Corrections.Request> asks = new ArrayList<>();
        List<Corrections.Outcome> invalid = new ArrayList<>();
        for (int i = 0; i < body.ids().size(); i++) {
            String id = body.ids().get(i);
            Corrections.Outcome bad = checkId(id, "ids[" + i + "]");
            invalid.add(bad);
            if (bad == null) {
                asks.add(new Corrections.Request(id, s -> s.retracted()
                        ? Corrections.Decision.refuse(new Corrections.Outcome(id, "already_retracted", s.sequence(), "already_retracted",
                                "id", "the event was already retracted (correction " + s.sequence() + ")"))
                        : new Corrections.Decision(EventCorrectionV1.RETRACT, null, null)));
            }
        }
        return answer(tenant, asks, invalid, reason);
    }

    @POST
    @Path("amend")
    public CorrectionsResponse amend(AmendRequest body, @Context ContainerRequestContext request) {
        Tenant tenant = (Tenant) request.getProperty(Tenant.PROPERTY);
        if (body == null || body.events() == null || body.events().isEmpty()) {
            throw ProblemException.badRequest("missing-events", "give the amended events: {\"events\": [{\"id\": …, \"properties\":"
                    + " { … }}], \"reason\": \"…\"}", "events");
        }
        checkSize(body.events().size(), "events");
        String reason = reason(body.reason());
        Instant now = clock.instant();
        EventValidator validator = new EventValidator(config.maxFutureSkew(), config.dedupWindow());
        List<Corrections.Request> asks = new ArrayList<>();
        List<Corrections.Outcome> invalid = new ArrayList<>();
        for (int i = 0; i < body.events().size(); i++) {
            Amendment a = body.events().get(i);
            String field = "events[" + i + "]";
            Corrections.Outcome bad = a == null ? new Corrections.Outcome(null, "rejected", null, "invalid_event", field,
                    "an amendment must be an object") : checkId(a.id(), field + ".id");
            if (bad == null && (a.properties() == null || !a.properties().isObject())) {
                bad = new Corrections.Outcome(a.id(), "rejected", null, "invalid_property", field + ".properties",
                        "properties must be an object: the event's complete new properties");
            }
            invalid.add(bad);
            if (bad != null) {
                continue;
            }
            var properties = Triage.properties(a.properties());
            asks.add(new Corrections.Request(a.id(), s -> {
                if (s.retracted()) {
                    return Corrections.Decision.refuse(new Corrections.Outcome(a.id(), "rejected", null, "retracted", "id",
                            "the event was retracted (correction " + s.sequence() + "); a retracted event cannot be amended"));
                }
                AcceptedEventV1 e = s.current();
                var checked = validator.validate(new RawEvent(e.eventId(), e.type(), e.customer(), e.timestamp().toString(), properties), now);
                if (checked instanceof EventValidator.Invalid inv) {
                    return Corrections.Decision.refuse(new Corrections.Outcome(a.id(), "rejected", null, inv.rejection().code(),
                            inv.rejection().field(), inv.rejection().message()));
                }
                var valid = ((EventValidator.Valid) checked).event();
                var unmeasurable = triage.checkMeters(e.tenantId(), valid);
                if (unmeasurable != null) {
                    return Corrections.Decision.refuse(new Corrections.Outcome(a.id(), "rejected", null, unmeasurable.code(),
                            unmeasurable.field(), unmeasurable.message()));
                }
                return new Corrections.Decision(EventCorrectionV1.AMEND, new AcceptedEventV1(e.tenantId(), e.customerId(), e.customer(),
                        e.eventId(), e.type(), e.timestamp(), valid.properties(), e.acceptedAt(), e.attributedBy(), e.periodStart(),
                        e.periodEnd(), e.segmentStart()), null);
            }));
        }
        return answer(tenant, asks, invalid, reason);
    }

    @GET
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public EventView event(@PathParam("id") String id, @Context ContainerRequestContext request) throws Exception {
        Tenant tenant = (Tenant) request.getProperty(Tenant.PROPERTY);
        Corrections.History h = corrections.history(tenant.tenantId(), id);
        if (h == null) {
            throw ProblemException.notFound("event-not-found", "no event '" + id + "' was accepted for this tenant (or it is older than"
                    + " the dedup window)");
        }
        AcceptedEventV1 current = h.original();
        String status = "accepted";
        if (!h.corrections().isEmpty()) {
            Corrections.Entry last = h.corrections().getLast();
            current = last.current();
            status = EventCorrectionV1.RETRACT.equals(last.kind()) ? "retracted" : "amended";
        }
        return new EventView(id, status, h.acceptedAt(), h.original(), current, h.corrections());
    }

    private CorrectionsResponse answer(Tenant tenant, List<Corrections.Request> asks, List<Corrections.Outcome> invalid, String reason) {
        List<Corrections.Outcome> done = asks.isEmpty() ? List.of()
                : corrections.correct(tenant.tenantId(), asks, reason, tenant.actor(), TraceContext.current(), clock.instant());
        List<Corrections.Outcome> results = new ArrayList<>(invalid.size());
        int next = 0;
        int corrected = 0;
        for (Corrections.Outcome bad : invalid) {
            Corrections.Outcome o = bad != null ? bad : done.get(next++);
            if (o.sequence() != null && o.code() == null) {
                corrected++;
            }
            results.add(o);
        }
        return new CorrectionsResponse(corrected, results.size() - corrected, results);
    }

    private void checkSize(int n, String field) {
        if (n > config.maxBatch()) {
            throw new ProblemException(413, "batch-too-large", "Payload too large", "at most " + config.maxBatch()
                    + " events per request, got " + n, field, null);
        }
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("missing-reason", "a correction needs a reason (kept in the event's audit record)", "reason");
        }
        if (reason.length() > MAX_REASON) {
            throw ProblemException.badRequest("reason-too-long", "the reason is " + reason.length() + " characters; at most " + MAX_REASON,
                    "reason");
        }
        return reason;
    }

    private static Corrections.Outcome checkId(String id, String field) {
        if (id == null || id.isEmpty()) {
            return new Corrections.Outcome(id, "rejected", null, "missing_field", field, "the event id is required");
        }
        if (id.length() > EventValidator.MAX_ID_LENGTH) {
            return new Corrections.Outcome(id.substring(0, 16) + "…", "rejected", null, "invalid_id", field, "an event id is at most "
                    + EventValidator.MAX_ID_LENGTH + " characters");
        }
        return null;
    }
}
