package dev.tally.invoicing.catalog.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.ApiKeyEntity;
import dev.tally.invoicing.catalog.ApiKeyService;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.PlanService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.FilterSpec;
import dev.tally.model.pricing.Decimals;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Tenant catalog: API keys and meters. Each change and its catalog announcement commit together;
 * any invalid field rejects the whole request before anything is written.
 */
@Path("/v1")
public class CatalogResource {
    private static final Set<String> SCOPES = Set.of("ingest", "read", "admin");
    private static final List<String> AGGREGATIONS = Arrays.stream(Aggregation.values()).map(Aggregation::name).toList();

    @Inject
    CatalogPublisher catalog;
    @Inject
    Clock clock;
    @Inject
    ApiKeyService keys;
    @Inject
    PlanService plans;
    @Inject
    AuditLog audit;
    @Inject
    ObjectMapper json;
    @Context
    ContainerRequestContext request;

    @POST
    @Path("/api-keys")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiKeyService.Created.class)))
    public Response createKey(Requests.NewApiKey body) {
        String tenant = Caller.of(request).tenant();
        String scope = Checks.required(Checks.body(body).scope(), "scope");
        if (!SCOPES.contains(scope)) {
            throw ProblemException.badRequest("invalid-field", "scope must be one of " + SCOPES, "scope");
        }
        return Response.status(201).entity(keys.create(tenant, scope, Caller.of(request).actor())).build();
    }

    /** The tenant's keys: ids, scopes and usage times — never secrets or hashes. */
    @GET
    @Path("/api-keys")
    @Transactional
    public List<ApiKeyService.KeyView> listKeys() {
        String tenant = Caller.of(request).tenant();
        return ApiKeyEntity.ofTenant(tenant).stream().map(ApiKeyService.KeyView::of).toList();
    }

    @DELETE
    @Path("/api-keys/{keyId}")
    @Transactional
    public ApiKeyService.KeyView revokeKey(@PathParam("keyId") String keyId) {
        Caller caller = Caller.of(request);
        return keys.revoke(caller.tenant(), keyId, caller.actor(), clock.instant());
    }

    /** A meter as shown and announced; {@code percentile} only for PERCENTILE. */
    public record MeterView(String key, String eventType, String aggregation, String property, String description, List<FilterSpec> filters,
            List<String> groupBy, BigDecimal percentile) {
    }

    @POST
    @Path("/meters")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = MeterView.class)))
    public Response createMeter(Requests.NewMeter body) {
        String tenant = Caller.of(request).tenant();
        Checks.body(body);
        String key = Checks.matches(body.key(), Checks.KEY, "key");
        String eventType = Checks.matches(body.eventType(), Checks.EVENT_TYPE, "eventType");
        Aggregation aggregation = aggregation(body.aggregation());
        String property = property(aggregation, body.property());
        BigDecimal percentile = percentile(aggregation, body.percentile());
        List<FilterSpec> filters = filters(body.filters());
        List<String> groupBy = groupBy(body.groupBy());
        if (MeterEntity.get(tenant, key) != null) {
            throw ProblemException.conflict("meter-exists", "a meter '" + key + "' already exists", "key");
        }
        MeterEntity m = new MeterEntity();
        m.tenantId = tenant;
        m.meterKey = key;
        m.eventType = eventType;
        m.aggregation = aggregation.name();
        m.property = property;
        m.percentile = percentile;
        m.description = body.description();
        m.filtersJson = text(filters);
        m.groupByJson = text(groupBy);
        m.persistAndFlush();
        MeterView view = view(m);
        announce(tenant, view);
        audit.record(tenant, Caller.of(request).actor(), "meter", key, "create", null, view);
        return Response.status(201).entity(view).build();
    }

    @GET
    @Path("/meters")
    @Transactional
    public List<MeterView> meters() {
        String tenant = Caller.of(request).tenant();
        return MeterEntity.ofTenant(tenant).stream().map(this::view).toList();
    }

    @GET
    @Path("/meters/{key}")
    @Transactional
    public MeterView meter(@PathParam("key") String key) {
        return view(meterOf(Caller.of(request).tenant(), key));
    }

    /**
     * Changes a meter. Its description may always change; what it counts (event type, aggregation,
     * property, filters, group-by) only while no published plan version charges it, because a
     * published price must keep meaning what it meant.
     */
    @PATCH
    @Path("/meters/{key}")
    @Transactional
    public MeterView updateMeter(@PathParam("key") String key, Requests.MeterPatch body) {
        String tenant = Caller.of(request).tenant();
        Checks.body(body);
        MeterEntity m = meterOf(tenant, key);
        MeterView before = view(m);
        String eventType = body.eventType() == null ? m.eventType : Checks.matches(body.eventType(), Checks.EVENT_TYPE, "eventType");
        Aggregation aggregation = body.aggregation() == null ? Aggregation.valueOf(m.aggregation) : aggregation(body.aggregation());
        String property = property(aggregation, body.property() == null ? m.property : body.property());
        BigDecimal percentile = percentile(aggregation, body.percentile() == null && aggregation == Aggregation.PERCENTILE
                ? m.percentile : body.percentile());
        List<FilterSpec> filters = body.filters() == null ? before.filters() : filters(body.filters());
        List<String> groupBy = body.groupBy() == null ? before.groupBy() : groupBy(body.groupBy());
        MeterView after = new MeterView(key, eventType, aggregation.name(), property,
                body.description() == null ? m.description : body.description(), filters, groupBy, percentile);
        boolean semanticsChange = !Objects.equals(before.eventType(), after.eventType()) || !Objects.equals(before.aggregation(), after.aggregation())
                || !Objects.equals(before.property(), after.property()) || !Objects.equals(before.filters(), after.filters())
                || !Objects.equals(before.groupBy(), after.groupBy())
                || (before.percentile() == null ? after.percentile() != null : after.percentile() == null
                        || before.percentile().compareTo(after.percentile()) != 0);
        if (semanticsChange) {
            String chargedBy = plans.publishedVersionsCharging(tenant, key);
            if (chargedBy != null) {
                throw ProblemException.conflict("meter-in-use", "meter '" + key + "' is charged by published plan versions (" + chargedBy
                        + "); only its description can change. Create a new meter and a plan version that uses it.", "key");
            }
        }
        m.eventType = after.eventType();
        m.aggregation = after.aggregation();
        m.property = after.property();
        m.percentile = after.percentile();
        m.description = after.description();
        m.filtersJson = text(filters);
        m.groupByJson = text(groupBy);
        m.flush();
        announce(tenant, after);
        audit.record(tenant, Caller.of(request).actor(), "meter", key, "update", before, after);
        return after;
    }

    private void announce(String tenant, MeterView v) {
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Meter(tenant, v.key(), v.eventType(), v.aggregation(), v.property(),
                v.filters(), v.groupBy(), v.percentile())));
    }

    private static MeterEntity meterOf(String tenant, String key) {
        MeterEntity m = MeterEntity.get(tenant, key);
        if (m == null) {
            throw ProblemException.notFound("unknown-meter", "no meter '" + key + "'");
        }
        return m;
    }

    private static Aggregation aggregation(String requested) {
        Checks.required(requested, "aggregation");
        if (!AGGREGATIONS.contains(requested)) {
            throw ProblemException.badRequest("invalid-field", "aggregation must be one of " + AGGREGATIONS, "aggregation");
        }
        return Aggregation.valueOf(requested);
    }

    /** Every aggregation but COUNT reads a property. */
    private static String property(Aggregation aggregation, String property) {
        if (aggregation != Aggregation.COUNT) {
            return Checks.matches(property, FilterSpec.PROPERTY, "property");
        }
        return null;
    }

    private static BigDecimal percentile(Aggregation aggregation, BigDecimal percentile) {
        if (aggregation != Aggregation.PERCENTILE) {
            if (percentile != null) {
                throw ProblemException.badRequest("invalid-field", "only a PERCENTILE meter takes a percentile", "percentile");
            }
            return null;
        }
        if (percentile == null || percentile.signum() <= 0 || percentile.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw ProblemException.badRequest("invalid-field", "a PERCENTILE meter needs a percentile in (0, 100], e.g. 95", "percentile");
        }
        return Decimals.normalized(percentile);
    }

    private static List<FilterSpec> filters(List<FilterSpec> filters) {
        try {
            FilterSpec.compile(filters);
        } catch (FilterSpec.InvalidFilterException e) {
            throw ProblemException.badRequest("invalid-filter", e.getMessage(), e.field());
        }
        return filters == null ? List.of() : List.copyOf(filters);
    }

    private static List<String> groupBy(List<String> groupBy) {
        try {
            return FilterSpec.groupBy(groupBy);
        } catch (FilterSpec.InvalidFilterException e) {
            throw ProblemException.badRequest("invalid-field", e.getMessage(), e.field());
        }
    }

    private MeterView view(MeterEntity m) {
        try {
            return new MeterView(m.meterKey, m.eventType, m.aggregation, m.property, m.description,
                    json.readValue(m.filtersJson, new TypeReference<List<FilterSpec>>() { }),
                    json.readValue(m.groupByJson, new TypeReference<List<String>>() { }), m.percentile);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String text(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
