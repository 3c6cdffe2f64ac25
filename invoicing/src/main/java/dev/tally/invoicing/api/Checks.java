package dev.tally.invoicing.api;

import dev.tally.model.money.Money;
import dev.tally.platform.problem.ProblemException;
import java.math.BigDecimal;
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

    /**
     * {@code value} as money in {@code currency}: present, positive (or zero, when {@code zeroAllowed}), and with no more
     * fractional digits than the currency's minor unit — never rounded to fit.
     */
    public static Money amount(BigDecimal value, String currency, String field, boolean zeroAllowed) {
        if (value == null || value.signum() < 0 || value.signum() == 0 && !zeroAllowed) {
            throw ProblemException.badRequest("invalid-field", field + " must be " + (zeroAllowed ? "zero or more" : "a positive amount")
                    + " in " + currency, field);
        }
        try {
            return Money.of(value, currency);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ProblemException.badRequest("invalid-field", field + " " + value.toPlainString() + " has more digits than " + currency
                    + " allows", field);
        }
    }

    public static <T> T body(T body) {
        if (body == null) {
            throw ProblemException.badRequest("missing-body", "a JSON body is required", null);
        }
        return body;
    }
}
