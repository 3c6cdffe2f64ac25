package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.catalog.CatalogWrites;
import dev.tally.platform.catalog.ReadYourWrites;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Read-your-writes across services: a request that changed the catalog (a customer, key, meter, plan, subscription …) is
 * answered only once the outbox relay has published its records to {@code tally.catalog} — at most
 * {@link ReadYourWrites#BOUND}, after which it is answered anyway (header {@code Tally-Catalog-Published: false};
 * the records follow). Ingest and rating, on an unknown key or customer, wait until their catalog view has read the topic's end,
 * so a client that creates a customer and sends its first event at once is not refused.
 */
@Provider
public class PublishedBeforeAnswer implements ContainerResponseFilter {
    static final String HEADER = "Tally-Catalog-Published";

    @Inject
    CatalogWrites writes;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!writes.any() || response.getStatus() >= 300) {
            return;
        }
        response.getHeaders().putSingle(HEADER, Boolean.toString(writes.awaitPublished(ReadYourWrites.BOUND)));
    }
}
