package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.audit.AuditChain;
import dev.tally.model.audit.AuditEntry;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The tenant's audit trail, optionally for one entity, with the verdict of the whole chain. */
@Path("/v1/audit")
public class AuditResource {
    @Inject
    AuditLog audit;
    @Context
    ContainerRequestContext request;

    /**
     * @param chainIntact whether every entry of the tenant's chain re-hashes and links to its predecessor
     * @param firstBreak  seq of the first entry that does not, or null
     * @param total       entries matching the filter (all of them, however few {@code entries} holds)
     */
    public record AuditTrail(List<AuditEntry> entries, boolean chainIntact, Long firstBreak, long total) {
    }

    /**
     * @param sort   {@code seq} (default: oldest first) or {@code -seq} (newest first)
     * @param offset entries to skip
     * @param limit  at most this many (1–1000; default: all)
     */
    @GET
    public AuditTrail trail(@QueryParam("entityType") String entityType, @QueryParam("entityId") String entityId, @QueryParam("sort") String sort,
            @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        return trail(audit, Caller.of(request).tenant(), entityType, entityId, sort, offset, limit);
    }

    /** One chain ({@code tenant}, or {@link AuditLog#PLATFORM} for operator accounts), filtered and paged, with its verdict. */
    static AuditTrail trail(AuditLog audit, String tenant, String entityType, String entityId, String sort, Integer offset, Integer limit) {
        if (sort != null && !sort.equals("seq") && !sort.equals("-seq")) {
            throw ProblemException.badRequest("invalid-field", "sort must be seq or -seq", "sort");
        }
        if (limit != null && (limit < 1 || limit > 1000)) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 1000", "limit");
        }
        if (offset != null && offset < 0) {
            throw ProblemException.badRequest("invalid-field", "offset must not be negative", "offset");
        }
        List<AuditEntry> all = audit.entries(tenant); // the whole chain is read anyway, to verify it
        int broken = AuditChain.firstBreak(all);
        List<AuditEntry> shown = new ArrayList<>(all.stream()
                .filter(e -> (entityType == null || e.entityType().equals(entityType)) && (entityId == null || e.entityId().equals(entityId)))
                .toList());
        if ("-seq".equals(sort)) {
            Collections.reverse(shown);
        }
        int from = Math.min(shown.size(), offset == null ? 0 : offset);
        int to = limit == null ? shown.size() : Math.min(shown.size(), from + limit);
        return new AuditTrail(List.copyOf(shown.subList(from, to)), broken < 0, broken < 0 ? null : all.get(broken).seq(), shown.size());
    }
}
