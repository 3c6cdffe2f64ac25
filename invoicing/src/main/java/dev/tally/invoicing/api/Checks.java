package dev.tally.invoicing.api;

import dev.tally.platform.problem.ProblemException;
import java.util.regex.Pattern;

/** Field checks that answer with a problem naming the field. */
public final class Checks {
    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    public static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private Checks() {
    }

    public static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest("missing-field", field + " is required", field);
        }
        return value.trim();
    }

    public static String matches(String value, Pattern pattern, String field) {
        required(value, field);
        if (!pattern.matcher(value).matches()) {
            throw ProblemException.badRequest("invalid-field", field + " must match " + pattern.pattern(), field);
        }
        return value;
    }

    public static <T> T body(T body) {
        if (body == null) {
            throw ProblemException.badRequest("missing-body", "a JSON body is required", null);
        }
        return body;
    }
}
