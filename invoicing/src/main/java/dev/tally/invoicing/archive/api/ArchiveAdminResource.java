package dev.tally.invoicing.archive.api;

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
 * {@code tally.archive.janitor-every}). Any admin user may read; the sweep needs the {@code operator} role.
 */
@Path("/v1/admin/archive")
public class ArchiveAdminResource {
    @Inject
    ArchiveStore store;
    @Inject
    ArchiveJanitor janitor;
    @Context
    ContainerRequestContext request;

    @GET
    public ArchiveStore.Totals totals() throws Exception {
        Caller.of(request).requireRole("viewer", "operator", "finance");
        return store.totals();
    }

    @POST
    @Path("/sweep")
    public ArchiveJanitor.Swept sweep() throws Exception {
        Caller.of(request).requireRole("operator");
        return janitor.sweep();
    }
}
