package dev.tally.ingest.api;

import dev.tally.ingest.store.EventStore;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * The tenant's dead letters: records of the Kafka intake ({@code tally.events.raw}) sent with one of its keys that could
 * not be taken as events — malformed JSON, or an event refused with a code — newest first, with the original value.
 */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {
    @Inject
    EventStore store;
    @Context
    ContainerRequestContext request;

    @GET
    public EventStore.DeadLetters list(@QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) throws Exception {
        Tenant t = (Tenant) request.getProperty(Tenant.PROPERTY);
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw ProblemException.badRequest("invalid-field", "limit is 1–1000", "limit");
        }
        int skip = offset == null ? 0 : offset;
        if (skip < 0) {
            throw ProblemException.badRequest("invalid-field", "offset must not be negative", "offset");
        }
        return store.deadLetters(t.tenantId(), skip, n);
    }
}
