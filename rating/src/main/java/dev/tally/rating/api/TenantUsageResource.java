package dev.tally.rating.api;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.model.pricing.Decimals;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.rating.store.UsageQueries;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A tenant's usage trend (docs/finance.md): each meter's usage per UTC day of event time over all its customers, and
 * the customers with the most of it — what product and finance chart. From rating's daily rows, the same ones a
 * customer's usage and invoice are built from. COUNT and SUM add up over customers; any other aggregation (a maximum,
 * a unique count …) does not, so for those meters the days carry their events and customers only, {@code quantity}
 * is null, and the top customers are ranked by events.
 */
@Path("/v1/usage/daily")
@Produces(MediaType.APPLICATION_JSON)
public class TenantUsageResource {
    /** The most customers listed per meter. */
    public static final int MAX_TOP = 100;

    @Inject
    CatalogView catalog;
    @Inject
    UsageQueries queries;
    @Inject
    Clock clock;

    public record Trend(LocalDate from, LocalDate to, List<MeterTrend> meters) {
    }

    /** {@code additive}: whether quantities add up over customers (COUNT, SUM); when not, every quantity is null. */
    public record MeterTrend(String meter, String eventType, String aggregation, boolean additive, BigDecimal quantity, long eventCount,
            List<Day> days, List<TopCustomer> topCustomers) {
    }

    /** {@code customers}: how many customers had usage of the meter that day. */
    public record Day(LocalDate day, BigDecimal quantity, long eventCount, long customers) {
    }

    public record TopCustomer(String customerId, String externalId, BigDecimal quantity, long eventCount) {
    }

    /**
     * @param from  first UTC day (ISO date), default: 29 days before today
     * @param to    day after the last (exclusive), default: tomorrow
     * @param meter only this meter (default: every meter of the tenant)
     * @param top   how many customers to list per meter (default 5, at most {@value #MAX_TOP})
     */
    @GET
    public Trend trend(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("meter") String meter, @QueryParam("top") Integer top,
            @Context ContainerRequestContext request) throws Exception {
        String tenantId = (String) request.getProperty(ApiKeyFilter.TENANT);
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate start = from == null ? today.minusDays(29) : UsageRequests.date(from, "from");
        LocalDate end = to == null ? today.plusDays(1) : UsageRequests.date(to, "to");
        UsageRequests.checkRange(start, end);
        int limit = top == null ? 5 : top;
        if (limit < 0 || limit > MAX_TOP) {
            throw ProblemException.badRequest("invalid-field", "top must be between 0 and " + MAX_TOP, "top");
        }
        List<MeterDefinition> meters = UsageRequests.meters(catalog, tenantId, meter);
        Set<String> byEvents = meters.stream().filter(m -> !m.aggregation().additive()).map(MeterDefinition::key).collect(Collectors.toSet());
        Map<String, List<UsageQueries.TenantDay>> days = queries.tenantDays(tenantId, start, end, meter).stream()
                .collect(Collectors.groupingBy(UsageQueries.TenantDay::meterKey));
        Map<String, List<UsageQueries.CustomerTotal>> tops = limit == 0 ? Map.of() : queries.topCustomers(tenantId, start, end, meter, byEvents, limit)
                .stream().collect(Collectors.groupingBy(UsageQueries.CustomerTotal::meterKey));
        List<MeterTrend> out = new ArrayList<>();
        for (MeterDefinition m : meters) {
            out.add(meterTrend(tenantId, m, start, end, days.getOrDefault(m.key(), List.of()), tops.getOrDefault(m.key(), List.of())));
        }
        return new Trend(start, end, out);
    }

    /** Every day of [start, end) (a day without usage is zero), the totals, and the top customers with their external ids. */
    private MeterTrend meterTrend(String tenantId, MeterDefinition m, LocalDate start, LocalDate end, List<UsageQueries.TenantDay> rows,
            List<UsageQueries.CustomerTotal> top) {
        boolean additive = m.aggregation().additive();
        Map<LocalDate, UsageQueries.TenantDay> byDay = new HashMap<>();
        rows.forEach(r -> byDay.put(r.day(), r));
        List<Day> days = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        long events = 0;
        for (LocalDate d = start; d.isBefore(end); d = d.plusDays(1)) {
            UsageQueries.TenantDay r = byDay.get(d);
            BigDecimal q = r == null ? BigDecimal.ZERO : r.quantity();
            days.add(new Day(d, additive ? Decimals.normalized(q) : null, r == null ? 0 : r.eventCount(), r == null ? 0 : r.customers()));
            total = total.add(q);
            events += r == null ? 0 : r.eventCount();
        }
        return new MeterTrend(m.key(), m.eventType(), m.aggregation().name(), additive, additive ? Decimals.normalized(total) : null, events, days,
                top.stream().map(c -> new TopCustomer(c.customerId(), externalId(tenantId, c.customerId()), additive
                        ? Decimals.normalized(c.quantity()) : null, c.eventCount())).toList());
    }

    /** The customer's external id as the catalog knows it (null: not known to rating's catalog view). */
    private String externalId(String tenantId, String customerId) {
        CatalogRecordV1.Customer known = catalog.customer(tenantId, customerId);
        return known == null ? null : known.externalId();
    }

}
