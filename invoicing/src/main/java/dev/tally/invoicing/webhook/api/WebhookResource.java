package dev.tally.invoicing.webhook.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.webhook.Webhooks;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Webhook endpoints: Tally POSTs signed events to them (alerts today; invoices when invoicing
 * finalizes them), retrying with backoff. The secret is answered once, at creation.
 */
@Path("/v1/webhooks")
public class WebhookResource {
    @Inject
    Webhooks webhooks;
    @Inject
    AuditLog audit;
    @Inject
    InvoicingConfig config;
    @Context
    ContainerRequestContext request;

    /** {@code eventTypes} default: every type. */
    public record NewEndpoint(String url, List<String> eventTypes) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Webhooks.Created.class)))
    public Response create(NewEndpoint body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        String url = Checks.required(body.url(), "url");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-field", "url must be an absolute URL", "url");
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        boolean http = "http".equalsIgnoreCase(uri.getScheme());
        if (uri.getHost() == null || !(https || (http && config.webhooks().allowHttp()))) {
            throw ProblemException.badRequest("invalid-field", "url must be an absolute https URL" + (config.webhooks().allowHttp() ? " (or http)" : ""), "url");
        }
        List<String> types = body.eventTypes() == null || body.eventTypes().isEmpty() ? Webhooks.EVENT_TYPES : body.eventTypes();
        for (String t : types) {
            if (!Webhooks.EVENT_TYPES.contains(t)) {
                throw ProblemException.badRequest("invalid-field", "unknown event type '" + t + "'; known: " + Webhooks.EVENT_TYPES,
                        "eventTypes");
            }
        }
        Webhooks.Created created = webhooks.create(caller.tenant(), url, types);
        audit.record(caller.tenant(), caller.actor(), "webhook", created.endpointId(), "create", null,
                Map.of("url", url, "eventTypes", types));
        return Response.status(201).entity(created).build();
    }

    @GET
    public List<Webhooks.Endpoint> list() throws Exception {
        return webhooks.endpoints(Caller.of(request).tenant());
    }

    @DELETE
    @Path("/{id}")
    @Transactional
    @APIResponse(responseCode = "204", description = "done; no body")
    public Response disable(@PathParam("id") String id) throws Exception {
        Caller caller = Caller.of(request);
        if (!webhooks.disable(caller.tenant(), id)) {
            throw ProblemException.notFound("unknown-webhook", "no live webhook endpoint '" + id + "'");
        }
        audit.record(caller.tenant(), caller.actor(), "webhook", id, "disable", null, null);
        return Response.noContent().build();
    }

    /** The latest deliveries (default 100), of one endpoint or all: status, attempts, next attempt, last answer. */
    @GET
    @Path("/deliveries")
    public List<Webhooks.Delivery> deliveries(@QueryParam("endpoint") String endpoint, @QueryParam("limit") Integer limit) throws Exception {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw ProblemException.badRequest("invalid-field", "limit must be 1-1000", "limit");
        }
        return webhooks.deliveries(Caller.of(request).tenant(), endpoint, n);
    }
}
