package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.catalog.CustomerSearch;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/** Search across the caller's tenant: customers by external id, name, alias or IP address. */
@Path("/v1/search")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {
    @Inject
    CustomerSearch search;
    @Context
    ContainerRequestContext request;

    /**
     * @param q      a prefix of the external id or of an alias (external id, hostname, API key id), or any part of the name
     * @param ip     an IPv4/IPv6 address: the customers whose CIDR alias holds it, longest prefix (ingest's choice) first
     * @param sort   externalId (default), name, createdAt; '-' first for descending
     * @param offset rows to skip (default 0)
     * @param limit  1–200 (default 50)
     */
    @GET
    @Path("/customers")
    public CustomerSearch.Page customers(@QueryParam("q") String q, @QueryParam("ip") String ip, @QueryParam("sort") String sort,
            @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) throws Exception {
        String tenant = Caller.of(request).tenant();
        int n = limit == null ? 50 : limit;
        if (n < 1 || n > 200) {
            throw ProblemException.badRequest("invalid-field", "limit must be between 1 and 200", "limit");
        }
        int skip = offset == null ? 0 : offset;
        if (skip < 0 || skip > 1_000_000) {
            throw ProblemException.badRequest("invalid-field", "offset must be between 0 and 1000000", "offset");
        }
        return search.search(tenant, q, ip, sort, skip, n);
    }
}
