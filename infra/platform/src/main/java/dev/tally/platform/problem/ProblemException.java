package dev.tally.platform.problem;

import java.util.List;

/** Thrown by adapters to answer with a problem+json; nothing else about the request is written. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String slug, String title, String detail, String field, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.errors = errors;
    }

    public static ProblemException badRequest(String slug, String detail, String field) {
        return new ProblemException(400, slug, "Invalid request", detail, field, null);
    }

    public static ProblemException notFound(String slug, String detail) {
        return new ProblemException(404, slug, "Not found", detail, null, null);
    }

    public static ProblemException conflict(String slug, String detail, String field) {
        return new ProblemException(409, slug, "Conflict", detail, field, null);
    }

    /** Well-formed, but the state of things does not allow it (e.g. crediting more than is left on an invoice). */
    public static ProblemException unprocessable(String slug, String detail, String field) {
        return new ProblemException(422, slug, "Unprocessable request", detail, field, null);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, null, null);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail, null, null);
    }

    public Problem toProblem() {
        return new Problem(Problem.TYPE_PREFIX + slug, title, status, getMessage(), field, errors);
    }

    public int status() {
        return status;
    }
}
