package dev.tally.platform.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as problem+json; no stack trace ever reaches a caller. Unexpected failures are
 * logged once, here, with the trace id the logging format carries.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.toProblem());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = null;
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String detail;
        if (e instanceof UnrecognizedPropertyException u) {
            detail = "unknown field '" + u.getPropertyName() + "'" + (field == null || field.equals(u.getPropertyName()) ? "" : " at " + field);
        } else if (e instanceof InvalidFormatException f && f.getOriginalMessage() != null && (f.getOriginalMessage().contains("control characters")
                || f.getOriginalMessage().contains("out of range"))) {
            detail = (field == null ? "a value" : field) + ": " + f.getOriginalMessage().replaceAll("^.*: ", "");
        } else if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            detail = "a value has the wrong type" + (field == null ? "" : " at " + field);
        } else {
            detail = "the body is not valid JSON: " + e.getOriginalMessage();
        }
        return respond(new Problem(Problem.TYPE_PREFIX + "malformed-json", "Malformed request body", 400, detail, field, null));
    }

    /** Quarkus REST has its own (non-problem) answer for these; this keeps every error problem+json. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json); // the body reader wraps parse errors
        }
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase();
        String slug = title.toLowerCase().replace(' ', '-');
        return respond(new Problem(Problem.TYPE_PREFIX + slug, title, status, e.getMessage(), null, null));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (clientWentAway(e)) {
            // a stalled body cut by the read or idle timeout, or a client that hung up mid-body: nobody is left to answer,
            // nothing was read, and it is not the server's failure
            LOG.infof("a request was abandoned before its body arrived whole: %s", e.getMessage());
            return respond(new Problem(Problem.TYPE_PREFIX + "request-incomplete", "Request incomplete", 400,
                    "the connection closed before the request body arrived whole; nothing was stored", null, null));
        }
        if (databaseUnreachable(e)) {
            // PostgreSQL restarting, failing over or cut off: the transaction never committed, so nothing was stored
            LOG.warnf("the database could not be reached: %s", rootMessage(e));
            return Response.fromResponse(respond(new Problem(Problem.TYPE_PREFIX + "database-unavailable", "Database unavailable", 503,
                    "the database could not be reached; nothing was stored; retry (with the same event ids) shortly", null, null)))
                    .header("Retry-After", "1").build();
        }
        LOG.error("unexpected failure", e);
        return respond(new Problem(Problem.TYPE_PREFIX + "internal", "Internal error", 500,
                "the request failed on the server; retrying with the same event ids is safe", null, null));
    }

    /**
     * Whether the request body never arrived whole: the connection closed under it (Vert.x's HttpClosedException), or
     * the body stalled past {@code quarkus.http.read-timeout} ("Read timed out", after which the connection is closed).
     */
    static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getName().equals("io.vertx.core.http.HttpClosedException")
                    || t instanceof IOException && "Read timed out".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure is the database out of reach: an SQL error of class 08 (connection exception: refused, reset,
     * timed out) or a pool that could not get a connection in time, anywhere in the cause chain.
     */
    static boolean databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLException s && (s.getSQLState() != null && s.getSQLState().startsWith("08")
                    || s.getMessage() != null && s.getMessage().startsWith("Acquisition timeout"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
