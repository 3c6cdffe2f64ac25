package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.ApiKeyEntity;
import dev.tally.invoicing.catalog.CatalogPublisher;
import dev.tally.invoicing.catalog.TenantEntity;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.platform.security.ApiKeys;
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
    CatalogPublisher catalog;

    public record CreatedTenant(String tenantId, String name, CreatedKey apiKey) {
    }

    public record CreatedKey(String keyId, String key, String scope, String note) {
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
        CreatedKey key = newKey(catalog, tenant.tenantId, "admin");
        return Response.status(201).entity(new CreatedTenant(tenant.tenantId, tenant.name, key)).build();
    }

    static CreatedKey newKey(CatalogPublisher catalog, String tenantId, String scope) {
        ApiKeys.NewKey k = ApiKeys.generate();
        ApiKeyEntity entity = new ApiKeyEntity();
        entity.tenantId = tenantId;
        entity.keyId = k.keyId();
        entity.sha256 = k.sha256();
        entity.scope = scope;
        entity.persist();
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenantId, k.keyId(), k.sha256(), scope, false)));
        return new CreatedKey(k.keyId(), k.key(), scope, "store this key now: it is not shown again");
    }
}
