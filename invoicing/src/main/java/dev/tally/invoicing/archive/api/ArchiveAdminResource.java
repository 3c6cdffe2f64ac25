package dev.tally.invoicing.archive.api;

import dev.tally.invoicing.archive.ArchiveCompactor;
import dev.tally.invoicing.archive.ArchiveJanitor;
import dev.tally.invoicing.archive.ArchiveStore;
import dev.tally.invoicing.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;

/**
 * The event archive for operators (docs/archive.md): how much it holds and how far each partition of
 * {@code tally.events.accepted} is archived; and the janitor's round on demand (it also runs every
 * {@code tally.archive.janitor-every}), and compaction's. Any admin user may read; the sweep and compaction need the
 * {@code operator} role.
 */
@Path("/v1/admin/archive")
public class ArchiveAdminResource {
    @Inject
    ArchiveStore store;
    @Inject
    ArchiveJanitor janitor;
    @Inject
    ArchiveCompactor compactor;
    @Context
    ContainerRequestContext request;

    @GET
    public ArchiveStore.Totals totals() throws Exception {
        Caller.of(request).requireRole("viewer", "operator", "finance");
        return store.totals();
    }

    /** What a compaction round did: how many tenant-days it merged. */
    public record Compacted(int daysMerged) {
    }

    /** Compaction's round on demand (it also runs every {@code tally.archive.compact-every}). */
    @POST
    @Path("/compact")
    public Compacted compact() throws Exception {
        Caller.of(request).requireRole("operator");
        return new Compacted(compactor.compact());
    }

    @POST
    @Path("/sweep")
    public ArchiveJanitor.Swept sweep() throws Exception {
        Caller.of(request).requireRole("operator");
        return janitor.sweep();
    }
}
