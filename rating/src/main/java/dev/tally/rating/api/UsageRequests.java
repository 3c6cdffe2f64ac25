package dev.tally.rating.api;

import dev.tally.model.metering.MeterDefinition;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What the usage APIs (a customer's, the tenant's trend) check alike: a range of days, a date, the meters asked for. */
final class UsageRequests {
    private UsageRequests() {
    }

    /** {@code [start, end)} must be non-empty and at most {@link UsageResource#MAX_DAYS} days: a {@code 400} naming {@code to} otherwise. */
    static void checkRange(LocalDate start, LocalDate end) {
        if (!start.isBefore(end)) {
            throw ProblemException.badRequest("invalid-range", "from (" + start + ") must be before to (" + end + "); to is exclusive", "to");
        }
        if (ChronoUnit.DAYS.between(start, end) > UsageResource.MAX_DAYS) {
            throw ProblemException.badRequest("invalid-range", "at most " + UsageResource.MAX_DAYS + " days per request", "to");
        }
    }

    static LocalDate date(String s, String field) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", field + " must be an ISO date, e.g. 2026-11-01", field);
        }
    }

    /** The tenant's meters by key, or only {@code meter} (null: all); a {@code 404} for a meter the tenant does not have. */
    static List<MeterDefinition> meters(CatalogView catalog, String tenantId, String meter) {
        List<MeterDefinition> meters = new ArrayList<>(catalog.definitions(tenantId));
        if (meter != null) {
            meters.removeIf(m -> !m.key().equals(meter));
            if (meters.isEmpty()) {
                throw ProblemException.notFound("meter-not-found", "no meter '" + meter + "' in this tenant");
            }
        }
        meters.sort(Comparator.comparing(MeterDefinition::key));
        return meters;
    }
}
