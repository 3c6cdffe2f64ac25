package dev.tally.admin.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details; {@code type} is {@code https://tally.dev/problems/<slug>}. */
@RegisterForReflection
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "https://tally.dev/problems/";

    static Problem of(String slug, String title, int status, String detail) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail);
    }

    Response.ResponseBuilder response() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }

    /** For the console's package: a problem with a slug. */
    public static Problem ofSlug(String slug, String title, int status, String detail) {
        return of(slug, title, status, detail);
    }

    /** The problem as a no-store response. */
    public static Response response(Problem p) {
        return p.response().header("Cache-Control", "no-store").build();
    }
}
