package dev.tally.rating.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.pricing.Decimals;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.rating.store.UsageQueries;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A customer's metered usage, straight from rating's tables (fresh within a poll of
 * {@code tally.events.accepted}): per meter, per UTC day of event time, and per group of a grouped
 * meter's dimensions. COUNT and SUM add up their daily rows; the other aggregations are folded from their
 * stored observations (see {@link NonAdditiveUsage}), at most {@value #MAX_OBSERVATIONS} per meter and request.
 */
@Path("/v1/customers/{customer}/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {
    /** Longest range one request may ask for. */
    public static final int MAX_DAYS = 366;
    private static final TypeReference<LinkedHashMap<String, String>> DIMENSIONS = new TypeReference<>() { };

    @Inject
    CatalogView catalog;
    @Inject
    UsageQueries queries;
    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    public record Usage(String customerId, String externalId, LocalDate from, LocalDate to, BillingPeriod currentPeriod,
            List<MeterUsage> meters) {
    }

    /** {@code quantity} and {@code eventCount} over the whole range; {@code groups} only for a grouped meter. */
    public record MeterUsage(String meter, String eventType, String aggregation, List<String> groupBy, BigDecimal quantity, long eventCount,
            List<DayUsage> days, List<GroupUsage> groups) {
    }

    /** {@code sampleEventIds}: a few of the events behind the day (the first rated per group), for {@code GET /v1/events/{id}} on ingest. */
    public record DayUsage(LocalDate day, BigDecimal quantity, long eventCount, List<String> sampleEventIds) {
    }

    public record GroupUsage(Map<String, String> dimensions, BigDecimal quantity, long eventCount) {
    }

    /**
     * @param customer the customer's Tally id or external id
     * @param from     first UTC day (ISO date), default: the first day of the customer's current billing period
     * @param to       day after the last (exclusive), default: the day after the current period's last day
     * @param meter    only this meter (default: every meter of the tenant)
     */
    @GET
    public Usage usage(@PathParam("customer") String customer, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("meter") String meter, @Context ContainerRequestContext request) throws Exception {
        String tenantId = (String) request.getProperty(ApiKeyFilter.TENANT);
        CatalogRecordV1.Customer c = catalog.customer(tenantId, customer);
        if (c == null) {
            throw ProblemException.notFound("customer-not-found", "no customer '" + customer + "' in this tenant");
        }
        BillingPeriod current = catalog.periodOf(tenantId, c.customerId(), clock.instant());
        LocalDate start = from == null ? LocalDate.ofInstant(current.start(), ZoneOffset.UTC) : UsageRequests.date(from, "from");
        LocalDate end = to == null ? LocalDate.ofInstant(current.end().minusNanos(1), ZoneOffset.UTC).plusDays(1) : UsageRequests.date(to, "to");
        UsageRequests.checkRange(start, end);
        List<MeterDefinition> meters = UsageRequests.meters(catalog, tenantId, meter);
        Map<String, List<UsageQueries.DayRow>> byMeter = new LinkedHashMap<>();
        for (UsageQueries.DayRow r : queries.days(tenantId, c.customerId(), start, end, meter)) {
            byMeter.computeIfAbsent(r.meterKey(), k -> new ArrayList<>()).add(r);
        }
        List<MeterUsage> out = new ArrayList<>();
        for (MeterDefinition m : meters) {
            out.add(meterUsage(tenantId, c.customerId(), m, start, end, byMeter.getOrDefault(m.key(), List.of())));
        }
        return new Usage(c.customerId(), c.externalId(), start, end, current, out);
    }

    /** One meter's usage over [start, end) from its daily rows: per day (every day of the range), per group, and in total. */
    private MeterUsage meterUsage(String tenantId, String customerId, MeterDefinition m, LocalDate start, LocalDate end,
            List<UsageQueries.DayRow> rows) throws Exception {
        TreeMap<LocalDate, DayUsage> days = new TreeMap<>();
        for (LocalDate d = start; d.isBefore(end); d = d.plusDays(1)) {
            days.put(d, new DayUsage(d, BigDecimal.ZERO, 0, List.of()));
        }
        Map<String, GroupUsage> groups = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        long events = 0;
        for (UsageQueries.DayRow r : rows) {
            DayUsage d = days.get(r.day());
            List<String> samples = d.sampleEventIds();
            if (samples.size() < 3 && !r.sampleEventIds().isEmpty()) {
                List<String> more = new ArrayList<>(samples);
                r.sampleEventIds().stream().limit(3 - samples.size()).forEach(more::add);
                samples = List.copyOf(more);
            }
            days.put(r.day(), new DayUsage(r.day(), d.quantity().add(r.quantity()), d.eventCount() + r.eventCount(), samples));
            GroupUsage g = groups.get(r.dimensions());
            groups.put(r.dimensions(), g == null ? new GroupUsage(json.readValue(r.dimensions(), DIMENSIONS), r.quantity(), r.eventCount())
                    : new GroupUsage(g.dimensions(), g.quantity().add(r.quantity()), g.eventCount() + r.eventCount()));
            total = total.add(r.quantity());
            events += r.eventCount();
        }
        if (!m.aggregation().additive()) {
            // daily rows hold these meters' event counts; their values are folded from the observations
            NonAdditiveUsage.Result v = nonAdditive(tenantId, customerId, m, start, end);
            for (Map.Entry<LocalDate, DayUsage> d : days.entrySet()) {
                d.setValue(new DayUsage(d.getKey(), v.days().getOrDefault(d.getKey(), BigDecimal.ZERO), d.getValue().eventCount(),
                        d.getValue().sampleEventIds()));
            }
            for (Map.Entry<String, BigDecimal> g : v.groups().entrySet()) {
                GroupUsage was = groups.get(g.getKey());
                groups.put(g.getKey(), new GroupUsage(was == null ? json.readValue(g.getKey(), DIMENSIONS) : was.dimensions(), g.getValue(),
                        was == null ? 0 : was.eventCount()));
            }
            total = v.groups().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        }
        return new MeterUsage(m.key(), m.eventType(), m.aggregation().name(), m.groupBy(), Decimals.normalized(total), events,
                days.values().stream().map(d -> new DayUsage(d.day(), Decimals.normalized(d.quantity()), d.eventCount(), d.sampleEventIds()))
                        .toList(),
                m.groupBy().isEmpty() ? null
                        : groups.values().stream().map(g -> new GroupUsage(g.dimensions(), Decimals.normalized(g.quantity()), g.eventCount())).toList());
    }

    /** Most observations one request folds per non-additive meter. */
    public static final int MAX_OBSERVATIONS = 500_000;

    private NonAdditiveUsage.Result nonAdditive(String tenantId, String customerId, MeterDefinition m, LocalDate start, LocalDate end)
            throws Exception {
        try {
            return NonAdditiveUsage.of(m, queries.observations(tenantId, customerId, m.key(), start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                    end.atStartOfDay(ZoneOffset.UTC).toInstant(), m.aggregation() == Aggregation.TIME_WEIGHTED_SUM,
                    MAX_OBSERVATIONS), start, end);
        } catch (UsageQueries.TooManyObservations e) {
            throw new ProblemException(422, "too-many-observations", "Range too large for this meter", e.getMessage(), "to", null);
        }
    }

}
