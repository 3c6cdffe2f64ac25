package dev.tally.platform.openapi;

import dev.tally.platform.problem.Problem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * What every service's OpenAPI document shares (each names this filter in {@code mp.openapi.filter}): the bearer
 * scheme every request authenticates with, required everywhere but on the endpoints a provider calls with its own
 * signature; the {@code Problem} schema (RFC 9457); a {@code default} response of that schema on every operation,
 * since any call can be refused (401, 403, 404, 409, 413, 422, 429 …) with a problem+json body; and JSON first among a
 * request body's media types.
 */
public class TallyOpenApiFilter implements OASFilter {
    static final String BEARER = "bearer";
    static final String JSON = "application/json";
    /** Paths whose callers authenticate by a signature of their own, not a Tally key. */
    static final List<String> SIGNED_ELSEWHERE = List.of("/v1/payment-webhooks/");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(BEARER, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key (tly_…; scope ingest, read or admin), an admin user's token (tad_…) or the operator token, as "
                        + "'Authorization: Bearer <token>'. Every request is authenticated and scoped to the key's tenant."));
        openAPI.getComponents().addSchema("Problem", problem());
        openAPI.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(BEARER));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            boolean signed = SIGNED_ELSEWHERE.stream().anyMatch(path.getKey()::startsWith);
            for (Operation op : path.getValue().getOperations().values()) {
                if (signed) {
                    op.setSecurity(List.of());
                }
                jsonFirst(op);
                if (op.getResponses() != null && op.getResponses().getDefaultValue() == null) {
                    op.getResponses().setDefaultValue(problemResponse());
                }
            }
        }
    }

    /** A request body that takes JSON among other types lists JSON first: generated clients send the first type. */
    private static void jsonFirst(Operation op) {
        if (op.getRequestBody() == null || op.getRequestBody().getContent() == null) {
            return;
        }
        Map<String, MediaType> types = op.getRequestBody().getContent().getMediaTypes();
        if (types == null || !types.containsKey(JSON) || types.keySet().iterator().next().equals(JSON)) {
            return;
        }
        Map<String, MediaType> ordered = new LinkedHashMap<>();
        ordered.put(JSON, types.get(JSON));
        types.forEach(ordered::putIfAbsent);
        op.getRequestBody().getContent().setMediaTypes(ordered);
    }

    private static APIResponse problemResponse() {
        return OASFactory.createAPIResponse().description("The request was refused: a problem (RFC 9457) that says why and, for bad "
                + "input, which field; nothing was changed.").content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"))));
    }

    private static Schema problem() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Schema fieldError = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).addProperty("field", string).addProperty("code", string)
                .addProperty("message", string);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details; type is https://tally.dev/problems/<slug>, stable per kind of problem")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri"))
                .addProperty("title", string)
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32"))
                .addProperty("detail", string)
                .addProperty("field", OASFactory.createSchema().addType(Schema.SchemaType.STRING).description("the offending input, when there is one"))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldError))
                .required(List.of("type", "title", "status"));
    }
}
