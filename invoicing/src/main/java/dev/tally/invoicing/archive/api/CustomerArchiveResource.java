package dev.tally.invoicing.archive.api;

import dev.tally.invoicing.archive.ArchiveExport;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * One customer's archived events and corrections for some days (docs/archive.md), for support and disputes:
 * {@code GET /v1/customers/{externalId}/archive?from=2026-03-01&to=2026-03-31&format=csv|parquet} — every record as it
 * was published, in topic order; at most {@value ArchiveExport#MAX_DAYS} days (event time, UTC) per request. The
 * {@code Tally-Archived-Up-To} header gives each partition's archive frontier: records past it (minutes old) are not in
 * the export yet.
 */
@Path("/v1/customers/{externalId}/archive")
public class CustomerArchiveResource {
    @Inject
    ArchiveExport export;
    @Inject
    InvoicingConfig config;
    @Context
    ContainerRequestContext request;

    @GET
    @Produces({"text/csv", "application/vnd.apache.parquet"})
    @APIResponse(responseCode = "200", description = "the records, as CSV or Parquet", content = {
            @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/vnd.apache.parquet", schema = @Schema(type = SchemaType.STRING,
                    format = "binary"))})
    public Response records(@PathParam("externalId") String externalId, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("format") String format) throws Exception {
        String tenant = Caller.of(request).tenant();
        if (!config.archive().enabled()) {
            throw ProblemException.conflict("archive-off", "this deployment keeps no event archive (TALLY_ARCHIVE_ENABLED)", null);
        }
        LocalDate first = day(from, "from");
        LocalDate last = day(to, "to");
        if (last.isBefore(first) || ChronoUnit.DAYS.between(first, last) >= ArchiveExport.MAX_DAYS) {
            throw ProblemException.badRequest("invalid-field", "to must be on or after from, at most " + ArchiveExport.MAX_DAYS + " days in all", "to");
        }
        String f = format == null ? "csv" : format;
        if (!f.equals("csv") && !f.equals("parquet")) {
            throw ProblemException.badRequest("invalid-field", "format must be csv or parquet", "format");
        }
        String customerId = QuarkusTransaction.requiringNew().call(() -> CustomerService.byExternalId(tenant, externalId).customerId);
        ArchiveExport.Records records = export.records(tenant, customerId, first, last);
        String name = externalId.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + first + "-" + last + "." + f;
        StreamingOutput body = f.equals("csv")
                ? out -> ArchiveExport.csv(records.records(), new OutputStreamWriter(out, StandardCharsets.UTF_8))
                : out -> {
                    try {
                        ArchiveExport.parquet(records.records(), out);
                    } catch (SQLException e) {
                        throw new IOException(e);
                    }
                };
        return Response.ok(body, f.equals("csv") ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").header("Tally-Archived-Up-To", records.archivedUpTo())
                .header("Tally-Records", records.records().size()).build();
    }

    private static LocalDate day(String v, String field) {
        if (v == null) {
            throw ProblemException.badRequest("invalid-field", field + " is required: a day, e.g. 2026-03-01", field);
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", field + " must be a day, e.g. 2026-03-01", field);
        }
    }
}
