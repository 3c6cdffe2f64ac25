package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.ApiKeyService;
import dev.tally.invoicing.catalog.AuditLog;
import dev.tally.invoicing.catalog.TenantEntity;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** Operator endpoints (operator token). */
@Path("/v1/admin")
public class AdminResource {
    @Inject
    ApiKeyService keys;
    @Inject
    AuditLog audit;

    public record CreatedTenant(String tenantId, String name, ApiKeyService.Created apiKey) {
    }

    /** Creates a tenant and its first admin-scoped API key, which is shown only in this response. */
    @POST
    @Path("/tenants")
    @Transactional
    public Response createTenant(Requests.NewTenant body) {
        String name = Checks.required(Checks.body(body).name(), "name");
        TenantEntity tenant = new TenantEntity();
        tenant.tenantId = "ten_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        tenant.name = name;
        tenant.persist();
        audit.record(tenant.tenantId, "operator", "tenant", tenant.tenantId, "create", null, java.util.Map.of("name", name));
        ApiKeyService.Created key = keys.create(tenant.tenantId, "admin", "operator");
        return Response.status(201).entity(new CreatedTenant(tenant.tenantId, tenant.name, key)).build();
    }
}
