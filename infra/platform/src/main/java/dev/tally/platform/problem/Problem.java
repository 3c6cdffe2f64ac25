package dev.tally.platform.problem;

import java.util.List;

/**
 * RFC 9457 problem details. {@code type} is a stable URI per kind of problem
 * ({@code https://tally.dev/problems/<slug>}); {@code field} names the offending input when there is one.
 */
public record Problem(String type, String title, int status, String detail, String field, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "https://tally.dev/problems/";

    public record FieldError(String field, String code, String message) {
    }
}
