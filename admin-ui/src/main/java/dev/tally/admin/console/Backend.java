package dev.tally.admin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tally.admin.config.AdminConfig;
import dev.tally.admin.config.ServiceClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's only way to data: the services' REST APIs, called with the signed-in user's own token (so each
 * service enforces that user's role) and, for tenant data, the {@code Tally-Tenant} header. The console keeps no
 * data of its own and computes no amount: it shows what the services answer.
 */
@ApplicationScoped
public class Backend {
    public static final String TENANT_HEADER = "Tally-Tenant";

    @Inject
    AdminConfig config;
    @Inject
    ObjectMapper json;

    private final HttpClient client = ServiceClients.create(Duration.ofSeconds(2));

    /** A service answered with an error (its problem+json), or could not be reached (status 502/504). */
    public static final class Failure extends RuntimeException {
        public final int status;
        public final JsonNode problem;

        Failure(int status, JsonNode problem) {
            super(problem.path("detail").asText("the service answered " + status));
            this.status = status;
            this.problem = problem;
        }

        /** A value the console refuses itself before asking a service (a number that does not parse), as a 400 on {@code field}. */
        public static Failure invalid(String detail, String field) {
            return new Failure(400, JsonNodeFactory.instance.objectNode().put("status", 400).put("detail", detail).put("field", field));
        }

        /** The offending field the service named, if any. */
        public String field() {
            return problem.path("field").isTextual() ? problem.path("field").asText() : null;
        }

        public String detail() {
            return getMessage();
        }
    }

    /** A query string from name/value pairs; null and blank values are left out. */
    public static String query(Object... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            if (v == null || v.toString().isBlank()) {
                continue;
            }
            q.append(q.isEmpty() ? '?' : '&').append(pairs[i]).append('=').append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    /** A path segment, encoded. */
    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode get(Sessions.Session who, String service, String tenant, String path) {
        return send(who, service, tenant, "GET", path, null);
    }

    public JsonNode post(Sessions.Session who, String service, String tenant, String path, Object body) {
        return send(who, service, tenant, "POST", path, body);
    }

    public JsonNode patch(Sessions.Session who, String service, String tenant, String path, Object body) {
        return send(who, service, tenant, "PATCH", path, body);
    }

    public JsonNode delete(Sessions.Session who, String service, String tenant, String path) {
        return send(who, service, tenant, "DELETE", path, null);
    }

    /** The raw answer (a document: HTML or PDF) with its content type; errors as {@link Failure}. */
    public HttpResponse<byte[]> raw(Sessions.Session who, String service, String tenant, String path) {
        HttpResponse<byte[]> r = exchange(who, service, tenant, "GET", path, null, "*/*", HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 400) {
            throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        return r;
    }

    public JsonNode send(Sessions.Session who, String service, String tenant, String method, String path, Object body) {
        HttpResponse<String> r = exchange(who, service, tenant, method, path, body, "application/json",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() >= 400) {
            throw failure(r.statusCode(), r.body());
        }
        try {
            return r.body() == null || r.body().isBlank() ? json.createObjectNode() : json.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(502, problem(502, service + " answered something that is not JSON"));
        }
    }

    private <T> HttpResponse<T> exchange(Sessions.Session who, String service, String tenant, String method, String path, Object body,
            String accept, HttpResponse.BodyHandler<T> handler) {
        URI base = config.services().get(service);
        if (base == null) {
            throw new Failure(502, problem(502, "no URL is configured for " + service));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + path)).timeout(config.apiTimeout())
                .header("Authorization", "Bearer " + who.token()).header("Accept", accept);
        if (tenant != null) {
            b.header(TENANT_HEADER, tenant);
        }
        try {
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            }
            return client.send(b.build(), handler);
        } catch (HttpTimeoutException e) {
            throw new Failure(504, problem(504, service + " did not answer within " + config.apiTimeout().toSeconds() + " s"));
        } catch (IOException e) {
            throw new Failure(502, problem(502, service + " cannot be reached (" + e.getClass().getSimpleName() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(503, problem(503, "interrupted"));
        }
    }

    private Failure failure(int status, String body) {
        JsonNode p;
        try {
            p = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (IOException e) {
            p = null;
        }
        return new Failure(status, p != null && p.isObject() ? p : problem(status, "the service answered " + status));
    }

    private JsonNode problem(int status, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("detail", detail);
        return json.valueToTree(m);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
