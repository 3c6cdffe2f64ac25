package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.audit.AuditChain;
import dev.tally.model.audit.AuditEntry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
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
     */
    public record AuditTrail(List<AuditEntry> entries, boolean chainIntact, Long firstBreak) {
    }

    @GET
    public AuditTrail trail(@QueryParam("entityType") String entityType, @QueryParam("entityId") String entityId) {
        return trail(audit, Caller.of(request).tenant(), entityType, entityId);
    }

    /** One chain ({@code tenant}, or {@link AuditLog#PLATFORM} for operator accounts), filtered, with its verdict. */
    static AuditTrail trail(AuditLog audit, String tenant, String entityType, String entityId) {
        List<AuditEntry> all = audit.entries(tenant); // the whole chain is read anyway, to verify it
        int broken = AuditChain.firstBreak(all);
        List<AuditEntry> shown = all.stream()
                .filter(e -> (entityType == null || e.entityType().equals(entityType)) && (entityId == null || e.entityId().equals(entityId)))
                .toList();
        return new AuditTrail(shown, broken < 0, broken < 0 ? null : all.get(broken).seq());
    }
}
