package dev.tally.ingest.api;

import dev.tally.ingest.config.IngestConfig;
import dev.tally.ingest.intake.Triage;
import dev.tally.ingest.store.EventStore;
import dev.tally.model.attribution.AttributionIndex;
import dev.tally.model.event.UsageEvent;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.tracing.TraceContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Events no customer could be found for: listed for the operator (a tenant key with admin scope),
 * and replayed once the catalog knows the customer or alias — through the same dedup path as any
 * event, so a replay twice (or a replay racing a sender's retry) counts each event once.
 */
@Path("/v1/quarantine")
public class QuarantineResource {
    @Inject
    CatalogView catalog;
    @Inject
    Clock clock;
    @Inject
    EventStore store;
    @Inject
    IngestConfig config;
    @Context
    ContainerRequestContext request;

    public record Entry(String eventId, String reason, String apiKeyId, Instant receivedAt, EventStore.QuarantinedEvent event) {
    }

    public record Page(List<Entry> entries, long total) {
    }

    public record Replay(int examined, int accepted, int duplicates, int stillUnattributed, int tooLate, long remaining) {
    }

    private Tenant admin() {
        Tenant t = (Tenant) request.getProperty(Tenant.PROPERTY);
        if (!"admin".equals(t.scope())) {
            throw ProblemException.forbidden("the quarantine needs an API key with admin scope; " + t.keyId() + " has '" + t.scope() + "'");
        }
        return t;
    }

    /** The oldest quarantined events: any key of the tenant that may read (replaying needs admin scope). */
    @GET
    public Page list(@QueryParam("limit") Integer limit) throws Exception {
        Tenant t = (Tenant) request.getProperty(Tenant.PROPERTY);
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw ProblemException.badRequest("invalid-field", "limit is 1–1000", "limit");
        }
        return new Page(load(t.tenantId(), n), count(t.tenantId()));
    }

    /** Replays up to 1,000 of the oldest quarantined events; call again while {@code remaining} is above zero. */
    @POST
    @Path("/replay")
    public Replay replay() throws Exception {
        Tenant t = admin();
        Instant now = clock.instant();
        List<Entry> entries = load(t.tenantId(), 1000);
        List<EventStore.Candidate> candidates = new ArrayList<>();
        int unattributed = 0;
        int tooLate = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            EventStore.QuarantinedEvent q = e.event();
            if (q.timestamp().isBefore(now.minus(config.dedupWindow()))) {
                tooLate++; // past the dedup window: its id may no longer be remembered, so it is not accepted
                continue;
            }
            Map<String, Object> props = q.properties() == null ? Map.of() : q.properties();
            CatalogView.Attributed a = catalog.attribute(t.tenantId(), new AttributionIndex.Source(q.customer(),
                    props.get(Triage.IP_PROPERTY) instanceof String ip ? ip : null,
                    props.get(Triage.HOSTNAME_PROPERTY) instanceof String h ? h : null, e.apiKeyId()));
            if (a == null) {
                unattributed++;
                continue;
            }
            candidates.add(new EventStore.Candidate(i, new UsageEvent(q.id(), q.type(), q.customer(), q.timestamp(), props),
                    a.customer().customerId(), a.via()));
        }
        Set<Integer> accepted = candidates.isEmpty() ? Set.of() : store.replay(t.tenantId(), candidates, TraceContext.current(), now);
        return new Replay(entries.size(), accepted.size(), candidates.size() - accepted.size(), unattributed, tooLate, count(t.tenantId()));
    }

    private List<Entry> load(String tenantId, int limit) throws Exception {
        return store.quarantined(tenantId, limit).stream()
                .map(q -> new Entry(q.eventId(), q.reason(), q.apiKeyId(), q.receivedAt(), q.event())).toList();
    }

    private long count(String tenantId) throws Exception {
        return store.quarantineCount(tenantId);
    }
}
