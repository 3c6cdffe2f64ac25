package dev.tally.invoicing.api;

import dev.tally.platform.problem.Problem;
import jakarta.ws.rs.core.Response;
import org.hibernate.exception.ConstraintViolationException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Two requests racing to create the same key both pass the existence check; the database's unique
 * constraint stops the second, which gets a 409 like a sequential duplicate would.
 */
public class ConflictMapper {
    @ServerExceptionMapper
    public Response conflict(ConstraintViolationException e) {
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(new Problem(Problem.TYPE_PREFIX + "conflict", "Conflict", 409,
                "the entity was created concurrently by another request; nothing was written", null, null)).build();
    }
}
