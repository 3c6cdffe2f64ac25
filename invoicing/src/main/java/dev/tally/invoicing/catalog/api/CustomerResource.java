package dev.tally.invoicing.catalog.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tally.invoicing.api.Csv;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerImport;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.attribution.Aliases;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Customers: create, read, update, and bulk import with a per-row report. */
@Path("/v1/customers")
public class CustomerResource {
    /** Rows per import request. */
    public static final int MAX_IMPORT_ROWS = 10_000;
    static final List<String> CSV_COLUMNS = List.of("externalId", "name", "currency", "billingEmail", "taxRegion", "plan", "planVersion",
            "subscriptionStart", "aliases.externalIds", "aliases.cidrs", "aliases.apiKeyIds", "aliases.hostnames");

    @Inject
    CustomerService customers;
    @Inject
    CustomerImport importer;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;
    @Context
    ContainerRequestContext request;

    @POST
    @Consumes("application/json")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CustomerService.CustomerView.class)))
    public Response create(CustomerService.NewCustomer body) {
        Caller caller = Caller.of(request);
        return Response.status(201).entity(customers.create(caller.tenant(), micros(body), Requests.micros(clock.instant()), caller.actor()))
                .build();
    }

    @GET
    @Transactional
    public List<CustomerService.CustomerView> list(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
        String tenant = Caller.of(request).tenant();
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw ProblemException.badRequest("invalid-field", "limit is 1–1000", "limit");
        }
        return CustomerEntity.page(tenant, after == null ? "" : after, n).stream().map(customers::view).toList();
    }

    @GET
    @Path("/{externalId}")
    @Transactional
    public CustomerService.CustomerView get(@PathParam("externalId") String externalId) {
        return customers.get(Caller.of(request).tenant(), externalId);
    }

    @PATCH
    @Path("/{externalId}")
    @Transactional
    public CustomerService.CustomerView update(@PathParam("externalId") String externalId, CustomerService.CustomerPatch body) {
        Caller caller = Caller.of(request);
        return customers.update(caller.tenant(), externalId, body, caller.actor());
    }

    public record RowResult(int row, String externalId, String outcome, String customerId, String subscriptionId, Problem error) {
    }

    public record ImportReport(int rows, int created, int rejected, boolean dryRun, List<RowResult> results) {
    }

    /**
     * Bulk import: CSV ({@code text/csv}, a header row naming columns from {@link #CSV_COLUMNS}, list
     * columns separated by {@code ;}) or JSON lines ({@code application/x-ndjson}, one customer object
     * per line as for POST /v1/customers). Rows are independent: each is created or rejected with the
     * same problem a single create would get, and the report says which. {@code dryRun=true} checks
     * every row and writes nothing.
     */
    @POST
    @Path("/import")
    @Consumes({"text/csv", "application/x-ndjson", "application/jsonl"})
    public ImportReport importCustomers(String body, @QueryParam("dryRun") boolean dryRun) {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        List<ParsedRow> rows = type != null && type.startsWith("text/csv") ? csv(body) : jsonLines(body);
        if (rows.size() > MAX_IMPORT_ROWS) {
            throw new ProblemException(413, "too-many-rows", "Too many rows", rows.size() + " rows; at most " + MAX_IMPORT_ROWS
                    + " per request", null, null);
        }
        Instant now = Requests.micros(clock.instant());
        List<CustomerImport.Row> input = rows.stream().map(r -> new CustomerImport.Row(r.row(), r.externalId(),
                r.customer() == null ? null : micros(r.customer()), r.error())).toList();
        List<CustomerImport.Outcome> outcomes = QuarkusTransaction.requiringNew().call(() -> importer.run(tenant, input, now, caller.actor(), dryRun));
        List<RowResult> results = outcomes.stream().map(o -> new RowResult(o.row(), o.externalId(), o.outcome(), o.customerId(), o.subscriptionId(),
                o.error())).toList();
        int created = (int) outcomes.stream().filter(o -> o.error() == null).count();
        return new ImportReport(rows.size(), created, rows.size() - created, dryRun, results);
    }

    record ParsedRow(int row, String externalId, CustomerService.NewCustomer customer, Problem error) {
    }

    private static Problem rowProblem(String slug, String detail, String field) {
        return ProblemException.badRequest(slug, detail, field).toProblem();
    }

    private List<ParsedRow> jsonLines(String body) {
        List<ParsedRow> out = new ArrayList<>();
        String[] lines = (body == null ? "" : body).split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                CustomerService.NewCustomer c = json.readValue(lines[i], CustomerService.NewCustomer.class);
                out.add(new ParsedRow(i + 1, c == null ? null : c.externalId(), c, c == null ? rowProblem("missing-body", "empty row", null) : null));
            } catch (MismatchedInputException e) {
                String field = e.getPath().stream().map(p -> p.getFieldName() != null ? p.getFieldName() : "[" + p.getIndex() + "]")
                        .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse(null);
                out.add(new ParsedRow(i + 1, null, null, rowProblem("malformed-row", "a value has the wrong type"
                        + (field == null ? "" : " at " + field), field)));
            } catch (JsonProcessingException e) {
                out.add(new ParsedRow(i + 1, null, null, rowProblem("malformed-row", "line " + (i + 1) + " is not a JSON object: "
                        + e.getOriginalMessage(), null)));
            }
        }
        return out;
    }

    private static List<ParsedRow> csv(String body) {
        List<List<String>> records = Csv.parse(body == null ? "" : body);
        if (records.isEmpty()) {
            throw ProblemException.badRequest("missing-header", "a CSV import starts with a header row naming its columns, from "
                    + CSV_COLUMNS, null);
        }
        List<String> header = records.get(0).stream().map(String::trim).toList();
        for (int i = 0; i < header.size(); i++) {
            if (!CSV_COLUMNS.contains(header.get(i))) {
                throw ProblemException.badRequest("unknown-column", "column '" + header.get(i) + "' is not one of " + CSV_COLUMNS,
                        "header[" + i + "]");
            }
        }
        List<ParsedRow> out = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> cells = records.get(r);
            if (cells.size() == 1 && cells.get(0).isBlank()) {
                continue;
            }
            if (cells.size() != header.size()) {
                out.add(new ParsedRow(r, null, null, rowProblem("malformed-row", "row has " + cells.size() + " cells, the header "
                        + header.size(), null)));
                continue;
            }
            Map<String, String> v = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                String cell = cells.get(i).trim();
                v.put(header.get(i), cell.isEmpty() ? null : cell);
            }
            Integer version = null;
            Instant start = null;
            try {
                version = v.get("planVersion") == null ? null : Integer.valueOf(v.get("planVersion"));
            } catch (NumberFormatException e) {
                out.add(new ParsedRow(r, v.get("externalId"), null, rowProblem("invalid-field", "planVersion is a whole number", "planVersion")));
                continue;
            }
            try {
                start = v.get("subscriptionStart") == null ? null : Instant.parse(v.get("subscriptionStart"));
            } catch (DateTimeParseException e) {
                out.add(new ParsedRow(r, v.get("externalId"), null, rowProblem("invalid-field", "subscriptionStart is an RFC 3339 instant",
                        "subscriptionStart")));
                continue;
            }
            Aliases aliases = new Aliases(list(v.get("aliases.externalIds")), list(v.get("aliases.cidrs")), list(v.get("aliases.apiKeyIds")),
                    list(v.get("aliases.hostnames")));
            out.add(new ParsedRow(r, v.get("externalId"), new CustomerService.NewCustomer(v.get("externalId"), v.get("name"), v.get("currency"),
                    v.get("billingEmail"), v.get("taxRegion"), v.get("plan"), version, start, aliases), null));
        }
        return out;
    }

    private static List<String> list(String cell) {
        return cell == null ? List.of() : Arrays.stream(cell.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static CustomerService.NewCustomer micros(CustomerService.NewCustomer c) {
        return c == null ? null : new CustomerService.NewCustomer(c.externalId(), c.name(), c.currency(), c.billingEmail(), c.taxRegion(),
                c.plan(), c.planVersion(), Requests.micros(c.subscriptionStart()), c.aliases());
    }
}
