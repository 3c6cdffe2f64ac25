package dev.tally.admin.api;

import dev.tally.admin.console.Backend;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as problem+json; no stack trace reaches the browser. Unexpected ones are logged once, here. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getResponse().hasEntity()) {
            return e.getResponse(); // already a problem (the console's CSRF refusal)
        }
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        return Problem.of(title.toLowerCase().replace(' ', '-'), title, status, e.getMessage()).response().build();
    }

    /** A service refused or could not be reached and no page caught it (a document download): its answer, as problem+json. */
    @ServerExceptionMapper
    public Response service(Backend.Failure e) {
        Response.Status known = Response.Status.fromStatusCode(e.status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        return Problem.of(title.toLowerCase().replace(' ', '-'), title, e.status, e.detail()).response().build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected failure", e);
        return Problem.of("internal", "Internal error", 500, "the request failed on the server; see the admin-ui log")
                .response().build();
    }
}
