package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.ApiKeyEntity;
import dev.tally.invoicing.catalog.ApiKeyService;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.PlanChargeEntity;
import dev.tally.invoicing.catalog.PlanEntity;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.catalog.CustomerAliasEntity;
import dev.tally.model.attribution.Aliases;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.money.Currencies;
import dev.tally.model.pricing.InvalidPriceException;
import dev.tally.model.pricing.PerUnitPrice;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Tenant catalog: API keys, meters, plans, customers. Each change and its catalog announcement
 * commit together; any invalid field rejects the whole request before anything is written.
 */
@Path("/v1")
public class CatalogResource {
    private static final Set<String> SCOPES = Set.of("ingest", "read", "admin");
    private static final List<String> RATED_AGGREGATIONS = List.of(Aggregation.COUNT.name(), Aggregation.SUM.name());

    @Inject
    CatalogPublisher catalog;
    @Inject
    ApiKeyService keys;
    @Inject
    AuditLog audit;
    @Context
    ContainerRequestContext request;

    @POST
    @Path("/api-keys")
    @Transactional
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
        return ApiKeyEntity.<ApiKeyEntity>list("tenantId = ?1 order by createdAt", tenant).stream().map(ApiKeyService.KeyView::of).toList();
    }

    @DELETE
    @Path("/api-keys/{keyId}")
    @Transactional
    public ApiKeyService.KeyView revokeKey(@PathParam("keyId") String keyId) {
        Caller caller = Caller.of(request);
        return keys.revoke(caller.tenant(), keyId, caller.actor(), Instant.now());
    }

    @POST
    @Path("/meters")
    @Transactional
    public Response createMeter(Requests.NewMeter body) {
        String tenant = Caller.of(request).tenant();
        Checks.body(body);
        String key = Checks.matches(body.key(), Checks.KEY, "key");
        String eventType = Checks.matches(body.eventType(), Checks.EVENT_TYPE, "eventType");
        // shared-model knows more aggregations; rating meters COUNT and SUM so far, so only those are offered
        String requested = Checks.required(body.aggregation(), "aggregation");
        if (!RATED_AGGREGATIONS.contains(requested)) {
            throw ProblemException.badRequest("invalid-field", "aggregation must be one of " + RATED_AGGREGATIONS, "aggregation");
        }
        Aggregation aggregation = Aggregation.valueOf(requested);
        if (aggregation == Aggregation.SUM) {
            Checks.required(body.property(), "property");
        }
        if (MeterEntity.get(tenant, key) != null) {
            throw ProblemException.conflict("meter-exists", "a meter '" + key + "' already exists", "key");
        }
        MeterEntity m = new MeterEntity();
        m.tenantId = tenant;
        m.meterKey = key;
        m.eventType = eventType;
        m.aggregation = aggregation.name();
        m.property = aggregation == Aggregation.SUM ? body.property() : null;
        m.persistAndFlush();
        CatalogRecordV1.Meter published = new CatalogRecordV1.Meter(tenant, key, eventType, m.aggregation, m.property);
        catalog.publish(CatalogRecordV1.of(published));
        audit.record(tenant, Caller.of(request).actor(), "meter", key, "create", null, published);
        return Response.status(201).entity(Map.of("key", key, "eventType", eventType, "aggregation", m.aggregation,
                "property", m.property == null ? "" : m.property)).build();
    }

    @POST
    @Path("/plans")
    @Transactional
    public Response createPlan(Requests.NewPlan body) {
        String tenant = Caller.of(request).tenant();
        Checks.body(body);
        String key = Checks.matches(body.key(), Checks.KEY, "key");
        String name = Checks.required(body.name(), "name");
        String currency = Checks.required(body.currency(), "currency");
        if (!Currencies.isKnown(currency)) {
            throw ProblemException.badRequest("unknown-currency", "'" + currency + "' is not an ISO 4217 currency", "currency");
        }
        if (body.charges() == null || body.charges().isEmpty()) {
            throw ProblemException.badRequest("missing-field", "a plan needs at least one charge", "charges");
        }
        Set<String> meters = new HashSet<>();
        for (int i = 0; i < body.charges().size(); i++) {
            Requests.NewCharge c = body.charges().get(i);
            String field = "charges[" + i + "]";
            if (c == null) {
                throw ProblemException.badRequest("missing-field", field + " is empty", field);
            }
            String meter = Checks.required(c.meter(), field + ".meter");
            if (MeterEntity.get(tenant, meter) == null) {
                throw ProblemException.badRequest("unknown-meter", "no meter '" + meter + "'", field + ".meter");
            }
            if (!meters.add(meter)) {
                throw ProblemException.badRequest("duplicate-charge", "meter '" + meter + "' is charged twice", field + ".meter");
            }
            try {
                new PerUnitPrice(c.unitPrice());
            } catch (InvalidPriceException e) {
                throw ProblemException.badRequest("invalid-price", e.getMessage(), field + "." + e.field());
            }
        }
        if (PlanEntity.get(tenant, key) != null) {
            throw ProblemException.conflict("plan-exists", "a plan '" + key + "' already exists", "key");
        }
        PlanEntity plan = new PlanEntity();
        plan.tenantId = tenant;
        plan.planKey = key;
        plan.name = name;
        plan.currency = currency;
        plan.persistAndFlush();
        audit.record(tenant, Caller.of(request).actor(), "plan", key, "create", null, body);
        for (Requests.NewCharge c : body.charges()) {
            PlanChargeEntity charge = new PlanChargeEntity();
            charge.tenantId = tenant;
            charge.planKey = key;
            charge.meterKey = c.meter();
            charge.description = c.description() == null || c.description().isBlank() ? c.meter() : c.description();
            charge.unitPrice = c.unitPrice();
            charge.currency = currency;
            charge.persist();
        }
        return Response.status(201).entity(Map.of("key", key, "name", name, "currency", currency,
                "charges", body.charges().size())).build();
    }

    private static void addClaims(List<String[]> claims, String kind, List<String> values, String field) {
        for (int i = 0; i < values.size(); i++) {
            claims.add(new String[] {kind, values.get(i), field + "[" + i + "]"});
        }
    }

    @POST
    @Path("/customers")
    @Transactional
    public Response createCustomer(Requests.NewCustomer body) {
        String tenant = Caller.of(request).tenant();
        Checks.body(body);
        String externalId = Checks.required(body.externalId(), "externalId");
        if (externalId.length() > 128) {
            throw ProblemException.badRequest("invalid-field", "externalId is longer than 128 characters", "externalId");
        }
        String name = Checks.required(body.name(), "name");
        String planKey = Checks.required(body.plan(), "plan");
        PlanEntity plan = PlanEntity.get(tenant, planKey);
        if (plan == null) {
            throw ProblemException.badRequest("unknown-plan", "no plan '" + planKey + "'", "plan");
        }
        String currency = body.currency() == null ? plan.currency : body.currency();
        if (!currency.equals(plan.currency)) {
            throw ProblemException.badRequest("currency-mismatch",
                    "customer currency " + currency + " differs from plan currency " + plan.currency, "currency");
        }
        Aliases aliases;
        try {
            aliases = (body.aliases() == null ? Aliases.NONE : body.aliases()).normalized();
        } catch (Aliases.AliasException e) {
            throw ProblemException.badRequest("invalid-alias", e.problem().message(), e.problem().field());
        }
        for (int i = 0; i < aliases.apiKeyIds().size(); i++) {
            ApiKeyEntity key = ApiKeyEntity.findById(aliases.apiKeyIds().get(i));
            if (key == null || !key.tenantId.equals(tenant)) {
                throw ProblemException.badRequest("unknown-api-key", "no API key '" + aliases.apiKeyIds().get(i) + "' in this tenant",
                        "aliases.apiKeyIds[" + i + "]");
            }
        }
        // every claim, primary external id first; a claim another customer holds is a conflict
        List<String[]> claims = new ArrayList<>();
        claims.add(new String[] {"external_id", externalId, "externalId"});
        addClaims(claims, "external_id", aliases.externalIds(), "aliases.externalIds");
        addClaims(claims, "cidr", aliases.cidrs(), "aliases.cidrs");
        addClaims(claims, "api_key", aliases.apiKeyIds(), "aliases.apiKeyIds");
        addClaims(claims, "hostname", aliases.hostnames(), "aliases.hostnames");
        Set<String> seen = new HashSet<>();
        for (String[] claim : claims) {
            if (!seen.add(claim[0] + "/" + claim[1])) {
                throw ProblemException.badRequest("duplicate-alias", "'" + claim[1] + "' is given twice", claim[2]);
            }
            CustomerAliasEntity owner = CustomerAliasEntity.get(tenant, claim[0], claim[1]);
            if (owner != null) {
                CustomerEntity other = CustomerEntity.findById(new CustomerEntity.Key(tenant, owner.customerId));
                throw ProblemException.conflict(claim[2].equals("externalId") ? "customer-exists" : "alias-conflict",
                        "'" + claim[1] + "' already identifies customer '" + other.externalId + "'", claim[2]);
            }
        }
        CustomerEntity c = new CustomerEntity();
        c.tenantId = tenant;
        c.customerId = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        c.externalId = externalId;
        c.name = name;
        c.currency = currency;
        c.billingEmail = body.billingEmail();
        c.taxRegion = body.taxRegion();
        c.planKey = planKey;
        c.persistAndFlush();
        for (String[] claim : claims) {
            CustomerAliasEntity alias = new CustomerAliasEntity();
            alias.tenantId = tenant;
            alias.kind = claim[0];
            alias.value = claim[1];
            alias.customerId = c.customerId;
            alias.persist();
        }
        CustomerAliasEntity.flush();
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, c.customerId, externalId, currency, aliases)));
        audit.record(tenant, Caller.of(request).actor(), "customer", c.customerId, "create", null,
                new Requests.NewCustomer(externalId, name, currency, c.billingEmail, c.taxRegion, planKey, aliases));
        return Response.status(201).entity(Map.of("customerId", c.customerId, "externalId", externalId, "name", name,
                "currency", currency, "plan", planKey)).build();
    }
}
