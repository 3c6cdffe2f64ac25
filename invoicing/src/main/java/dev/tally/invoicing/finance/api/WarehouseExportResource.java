package dev.tally.invoicing.finance.api;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.finance.WarehouseExport;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The warehouse export for operators (docs/finance.md): the days exported for a tenant, and a day exported (or re-run,
 * {@code force}) on demand. A day can be exported once it is over and settled ({@code tally.warehouse.settle}); the
 * schedule exports every such day by itself.
 */
@Path("/v1/admin/warehouse-exports")
public class WarehouseExportResource {
    @Inject
    WarehouseExport export;
    @Inject
    InvoicingConfig config;
    @Inject
    Clock clock;
    @Context
    ContainerRequestContext request;

    /** A request to export one tenant's day. */
    public record Run(String tenantId, String day, Boolean force) {
    }

    public record Days(String tenantId, List<WarehouseExport.Day> days) {
    }

    @GET
    public Days days(@QueryParam("tenant") String tenantId) throws Exception {
        Caller.of(request).requireRole("viewer", "operator", "finance");
        if (tenantId == null || tenantId.isBlank()) {
            throw ProblemException.badRequest("invalid-field", "tenant is required", "tenant");
        }
        return new Days(tenantId, export.days(tenantId, 400));
    }

    @POST
    @Path("/run")
    public WarehouseExport.Day run(Run body) throws Exception {
        Caller caller = Caller.of(request);
        caller.requireRole("operator");
        if (!config.warehouse().enabled()) {
            throw ProblemException.conflict("warehouse-export-off", "this deployment has no warehouse export (TALLY_WAREHOUSE_ENABLED)", null);
        }
        if (body == null || body.tenantId() == null || body.tenantId().isBlank()) {
            throw ProblemException.badRequest("invalid-field", "tenantId is required", "tenantId");
        }
        LocalDate day;
        try {
            day = LocalDate.parse(body.day() == null ? "" : body.day());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "day must be a date, YYYY-MM-DD", "day");
        }
        if (WarehouseExport.end(day).plus(config.warehouse().settle()).isAfter(clock.instant())) {
            throw ProblemException.conflict("day-not-over", "day " + day + " is not over and settled yet (" + config.warehouse().settle()
                    + " after its end, UTC): its facts could still change", "day");
        }
        return export.export(body.tenantId(), day, Boolean.TRUE.equals(body.force()), caller.actor());
    }
}
