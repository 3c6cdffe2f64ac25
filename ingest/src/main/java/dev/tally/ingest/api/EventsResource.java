package dev.tally.ingest.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tally.ingest.config.IngestConfig;
import dev.tally.ingest.intake.Triage;
import dev.tally.ingest.store.EventStore;
import dev.tally.model.event.EventValidator;
import dev.tally.model.event.Rejection;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.tracing.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

@Path("/v1/events")
public class EventsResource {
    @Inject
    IngestConfig config;
    @Inject
    Triage triage;
    @Inject
    EventStore store;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry metrics;


    @Inject
    Clock clock;


    private static final TypeReference<List<EventsRequest.EventBody>> EVENT_LIST = new TypeReference<>() { };
    private static final Set<String> EVENT_FIELDS = Set.of("id", "type", "customer", "timestamp", "properties");

    /** The shared mapper, strict: unknown fields and duplicate keys fail, nesting and text are bounded. */
    private volatile ObjectMapper strict;

    private ObjectMapper strict() {
        if (strict == null) {
            ObjectMapper m = json.copy();
            m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                    .maxStringLength(100_000).build());
            strict = m;
        }
        return strict;
    }

    /** Events and, per event, a problem found while reading it (null: none). */
    record Parsed(EventsRequest request, List<Rejection> precheck) {
    }

    /**
     * The events: a JSON array of events, or {@code {"events": [...]}}; gzip bodies are decoded
     * first ({@code Content-Encoding: gzip}). Too big a body or too many events is a 413. Read strictly:
     * a duplicate key anywhere, nesting deeper than 64 or a text over 100,000 characters is a 400 for the
     * request (the JSON itself is ambiguous or abusive); an unknown field of an event, or an element that is
     * not an event, is that event's rejection, and its neighbours are judged as usual.
     */
    Parsed parse(byte[] body) throws IOException {
        checkSize(body);
        int i = 0;
        while (i < body.length && Character.isWhitespace(body[i])) {
            i++;
        }
        if (i == body.length) {
            return null;
        }
        try {
            // the common case: well-formed events bound directly
            return new Parsed(body[i] == '[' ? new EventsRequest(strict().readValue(body, EVENT_LIST))
                    : strict().readValue(body, EventsRequest.class), null);
        } catch (MismatchedInputException e) {
            return perEvent(strict().readTree(body)); // an unknown field or a wrong shape: find out which event
        }
    }

    /** A name the sender wrote, fit to repeat in an answer: at most 64 characters, anything unprintable as '?'. */
    static String shown(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 64; i++) {
            char c = name.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '"' || c == '\\' ? '?' : c);
        }
        return name.length() > 64 ? b + "…" : b.toString();
    }

    private Parsed perEvent(JsonNode root) {
        JsonNode events = eventsOf(root);
        if (events == null || events.isNull()) {
            return new Parsed(new EventsRequest(null), null);
        }
        if (!events.isArray()) {
            throw ProblemException.badRequest("invalid-field", "events must be a JSON array of events", "events");
        }
        List<EventsRequest.EventBody> list = new ArrayList<>(events.size());
        List<Rejection> precheck = new ArrayList<>(events.size());
        for (JsonNode e : events) {
            if (!e.isObject()) {
                list.add(null); // "an event must be an object"
                precheck.add(null);
                continue;
            }
            String id = e.path("id").isTextual() ? e.path("id").asText() : null;
            String unknown = unknownField(e);
            if (unknown != null) {
                list.add(new EventsRequest.EventBody(id, null, null, null, null));
                precheck.add(new Rejection("unknown_field", shown(unknown), "unknown field; an event has id, type, customer,"
                        + " timestamp and properties (values go in properties)"));
                continue;
            }
            String wrong = wronglyShapedField(e);
            if (wrong != null) {
                list.add(new EventsRequest.EventBody(id, null, null, null, null));
                precheck.add(new Rejection("invalid_event", wrong, wrong.equals("properties") ? "properties must be a JSON object"
                        : wrong + " must be a string"));
                continue;
            }
            try {
                list.add(json.treeToValue(e, EventsRequest.EventBody.class));
                precheck.add(null);
            } catch (JsonProcessingException | IllegalArgumentException ex) {
                list.add(new EventsRequest.EventBody(id, null, null, null, null));
                precheck.add(new Rejection("invalid_event", "id", "id, type, customer and timestamp must be strings, properties an object"));
            }
        }
        return new Parsed(new EventsRequest(list), precheck);
    }

    /** The events node: the body itself, or its {@code events} field (null if absent); any other field is a 400. */
    private static JsonNode eventsOf(JsonNode root) {
        JsonNode first = root.isArray() && !root.isEmpty() ? root.get(0) : root;
        if (first.isObject() && first.has("specversion")) {
            throw ProblemException.badRequest("cloudevent-content-type", "this is a CloudEvent sent as application/json, which Tally reads as"
                    + " its own events. " + CloudEvents.MODES, "specversion");
        }
        if (!root.isObject()) {
            return root;
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("events")) {
                throw ProblemException.badRequest("unknown-field", "unknown field '" + shown(name)
                        + "'; the body is a JSON array of events, or {\"events\": [ … ]}", shown(name));
            }
        }
        return root.get("events");
    }

    /** The event's first field that an event does not have, or null. */
    private static String unknownField(JsonNode event) {
        for (var it = event.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!EVENT_FIELDS.contains(name)) {
                return name;
            }
        }
        return null;
    }

    /** The first field whose JSON type is wrong (id, type, customer, timestamp: not a value; properties: not an object), or null. */
    private static String wronglyShapedField(JsonNode event) {
        for (String f : List.of("id", "type", "customer", "timestamp")) {
            JsonNode v = event.get(f);
            if (v != null && !v.isNull() && !v.isValueNode()) {
                return f;
            }
        }
        JsonNode props = event.get("properties");
        return props != null && !props.isNull() && !props.isObject() ? "properties" : null;
    }

    private static final TypeReference<List<CloudEvents.CloudEvent>> CLOUDEVENT_LIST = new TypeReference<>() { };

    /** CloudEvents in structured mode: one event ({@value CloudEvents#STRUCTURED}) or a batch ({@value CloudEvents#BATCH}); same answers as JSON. */
    @POST
    @Consumes({CloudEvents.STRUCTURED, CloudEvents.BATCH})
    @Produces(MediaType.APPLICATION_JSON)
    @RequestBody(content = {@Content(mediaType = CloudEvents.STRUCTURED, schema = @Schema(implementation = CloudEvents.CloudEvent.class)),
        @Content(mediaType = CloudEvents.BATCH, schema = @Schema(type = SchemaType.ARRAY, implementation = CloudEvents.CloudEvent.class))})
    public EventsResponse ingestCloudEvents(byte[] raw, @Context ContainerRequestContext request) throws IOException {
        byte[] body = raw == null ? new byte[0] : raw;
        checkSize(body);
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        List<CloudEvents.CloudEvent> events = type != null && type.startsWith(CloudEvents.BATCH) ? json.readValue(body, CLOUDEVENT_LIST)
                : body.length == 0 ? List.of() : List.of(json.readValue(body, CloudEvents.CloudEvent.class));
        return ingestCloudEvents(events, request);
    }

    private EventsResponse ingestCloudEvents(List<CloudEvents.CloudEvent> events, ContainerRequestContext request) {
        List<EventsRequest.EventBody> mapped = new ArrayList<>(events.size());
        List<Rejection> specProblems = new ArrayList<>(events.size());
        for (CloudEvents.CloudEvent ce : events) {
            CloudEvents.Mapped m = ce == null ? null : CloudEvents.map(ce);
            mapped.add(m == null ? null : m.event());
            specProblems.add(m == null ? null : m.problem());
        }
        return ingest(new EventsRequest(mapped), specProblems, request);
    }

    /**
     * A CloudEvent in HTTP binary mode: the attributes in {@code ce-*} headers (percent-decoded), the data — the
     * properties — as the JSON body.
     */
    private EventsResponse ingestBinaryCloudEvent(byte[] raw, ContainerRequestContext request) throws IOException {
        byte[] body = raw == null ? new byte[0] : raw;
        checkSize(body);
        JsonNode data = CloudEvents.blank(body) ? null : strict().readTree(body);
        CloudEvents.CloudEvent ce = CloudEvents.binary(name -> CloudEvents.percentDecoded(request.getHeaderString("ce-" + name)),
                request.getHeaderString(HttpHeaders.CONTENT_TYPE), data);
        return ingestCloudEvents(List.of(ce), request);
    }

    /** Any other content type: 415 problem+json naming what is read (a CloudEvent in binary mode with non-JSON data too). */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public EventsResponse unsupported(@Context ContainerRequestContext request) {
        throw CloudEvents.unsupported(request.getHeaderString(HttpHeaders.CONTENT_TYPE), request.getHeaderString("ce-specversion") != null);
    }

    private void checkSize(byte[] body) {
        if (body.length > config.maxBodyBytes()) {
            throw new ProblemException(413, "body-too-large", "Payload too large", "the body is " + body.length + " bytes; at most "
                    + config.maxBodyBytes() + " per request (split the batch)", null, null);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EventsRequest.class)))
    public EventsResponse ingest(byte[] raw, @Context ContainerRequestContext request) throws IOException {
        if (request.getHeaderString("ce-specversion") != null) {
            return ingestBinaryCloudEvent(raw, request); // the CloudEvents SDKs' default: binary mode
        }
        Parsed parsed = parse(raw == null ? new byte[0] : raw);
        return ingest(parsed == null ? null : parsed.request(), parsed == null ? null : parsed.precheck(), request);
    }

    /** @param precheck per event, a problem found before validation (CloudEvents envelope), or null */
    private EventsResponse ingest(EventsRequest body, List<Rejection> precheck, ContainerRequestContext request) {
        Tenant tenant = (Tenant) request.getProperty(Tenant.PROPERTY);
        checkBatch(body);
        Instant now = clock.instant();
        Triaged triaged = triageEach(body.events(), precheck, tenant, now);
        EventsResponse.Result[] results = triaged.results();
        boolean nothingToStore = triaged.candidates().isEmpty() && triaged.unattributed().isEmpty();
        if (nothingToStore && allRejected(results)) {
            List<Problem.FieldError> errors = new ArrayList<>();
            for (int i = 0; i < results.length; i++) {
                errors.add(new Problem.FieldError("events[" + i + "]." + results[i].field(), results[i].code(), results[i].message()));
            }
            throw new ProblemException(400, "invalid-events", "Invalid events",
                    "no event in the request is valid; nothing was stored", "events", errors);
        }
        Set<Integer> accepted = nothingToStore ? Set.of()
                : store.accept(tenant.tenantId(), triaged.candidates(), triaged.unattributed(), TraceContext.current(), now);
        for (EventStore.Candidate c : triaged.candidates()) {
            results[c.index()] = accepted.contains(c.index())
                    ? new EventsResponse.Result(c.event().id(), IngestOutcome.ACCEPTED, null, null, null)
                    : new EventsResponse.Result(c.event().id(), IngestOutcome.DUPLICATE, null, null, "already accepted earlier");
        }
        return answer(results);
    }

    /** A request without events is a 400, one with more than {@code maxBatch} a 413. */
    private void checkBatch(EventsRequest body) {
        if (body == null || body.events() == null || body.events().isEmpty()) {
            throw ProblemException.badRequest("missing-events", "the body must be a JSON array of events, or {\"events\": [ … ]},"
                    + " with at least one event", "events");
        }
        if (body.events().size() > config.maxBatch()) {
            throw new ProblemException(413, "batch-too-large", "Payload too large",
                    "at most " + config.maxBatch() + " events per request, got " + body.events().size(), "events", null);
        }
    }

    /**
     * Each event judged: {@code results} holds the answer of every event already decided (rejected, or repeated in this
     * request); the admitted events are the candidates to store, the quarantined ones (first of each id) the unattributed.
     */
    private record Triaged(EventsResponse.Result[] results, List<EventStore.Candidate> candidates, List<EventStore.Unattributed> unattributed) {
    }

    private Triaged triageEach(List<EventsRequest.EventBody> events, List<Rejection> precheck, Tenant tenant, Instant now) {
        EventValidator validator = new EventValidator(config.maxFutureSkew(), config.dedupWindow());
        int n = events.size();
        EventsResponse.Result[] results = new EventsResponse.Result[n];
        List<EventStore.Candidate> candidates = new ArrayList<>();
        List<EventStore.Unattributed> unattributed = new ArrayList<>();
        Set<String> idsInRequest = new HashSet<>();
        Triage.CatchUp catchUp = new Triage.CatchUp();
        for (int i = 0; i < n; i++) {
            EventsRequest.EventBody e = events.get(i);
            if (e == null) {
                results[i] = rejected(null, new Rejection("invalid_event", "events[" + i + "]", "an event must be an object"));
                continue;
            }
            if (precheck != null && precheck.get(i) != null) {
                results[i] = rejected(e.id(), precheck.get(i));
                continue;
            }
            Triage.Verdict verdict = triage.triage(tenant.tenantId(), tenant.keyId(), e, validator, now, catchUp);
            if (verdict instanceof Triage.Reject r) {
                results[i] = rejected(e.id(), r.rejection());
                continue;
            }
            if (verdict instanceof Triage.Quarantine q) {
                results[i] = rejected(e.id(), q.rejection());
                if (idsInRequest.add(q.event().id())) {
                    unattributed.add(new EventStore.Unattributed(q.event(), q.reason(), tenant.keyId()));
                }
                continue;
            }
            Triage.Admit admit = (Triage.Admit) verdict;
            if (!idsInRequest.add(admit.event().id())) {
                results[i] = new EventsResponse.Result(admit.event().id(), IngestOutcome.DUPLICATE, null, null, "repeated earlier in this request");
                continue;
            }
            candidates.add(new EventStore.Candidate(i, admit.event(), admit.customerId(), admit.attributedBy()));
        }
        return new Triaged(results, candidates, unattributed);
    }

    /** The answer: the per-event results and their totals, each outcome (and rejection code) counted in the metrics. */
    private EventsResponse answer(EventsResponse.Result[] results) {
        int acceptedCount = 0;
        int duplicates = 0;
        int rejectedCount = 0;
        Map<String, Integer> rejectedByCode = new TreeMap<>();
        for (EventsResponse.Result r : results) {
            switch (r.outcome()) {
                case ACCEPTED -> acceptedCount++;
                case DUPLICATE -> duplicates++;
                default -> {
                    rejectedCount++;
                    rejectedByCode.merge(r.code() == null ? "unknown" : r.code(), 1, Integer::sum);
                }
            }
        }
        count(IngestOutcome.ACCEPTED.wire(), "", acceptedCount);
        count(IngestOutcome.DUPLICATE.wire(), "", duplicates);
        rejectedByCode.forEach((code, k) -> count(IngestOutcome.REJECTED.wire(), code, k));
        return new EventsResponse(acceptedCount, duplicates, rejectedCount, List.of(results));
    }

    private static boolean allRejected(EventsResponse.Result[] results) {
        for (EventsResponse.Result r : results) {
            if (r == null || r.outcome() != IngestOutcome.REJECTED) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code tally_ingest_events_total{outcome, code}}: what senders were answered, per outcome and rejection code — a
     * rise in rejections (a sender's new field, a clock gone wrong) shows here even when the sender reads only the 200.
     */
    private void count(String outcome, String code, int n) {
        if (n > 0 && metrics != null) {
            metrics.counter("tally.ingest.events", "outcome", outcome, "code", code).increment(n);
        }
    }

    private static EventsResponse.Result rejected(String id, Rejection r) {
        return new EventsResponse.Result(id, IngestOutcome.REJECTED, r.code(), r.field(), r.message());
    }
}
