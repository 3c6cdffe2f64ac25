package dev.tally.system;

import static dev.tally.system.SystemRequests.post;
import static io.restassured.RestAssured.given;

import dev.tally.infra.local.LocalStack;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * ingest, rating and invoicing on a stack of their own (its own PostgreSQL and Kafka, in {@code target/<name>}), for
 * the tests that change the stack under the services — a replicated Kafka, a PostgreSQL failover, partitions added —
 * so the shared test stack stays as the other tests expect it.
 */
final class OwnPlatform implements AutoCloseable {
    final String operator = "own-platform-operator-" + UUID.randomUUID();
    final LocalStack stack;
    final LocalStack.Addresses addresses;
    final ServiceProcess ingest;
    final ServiceProcess rating;
    final ServiceProcess invoicing;
    /**
     * Where this platform's invoicing keeps its event archive: a directory, or — on a stack with object storage — the
     * directory where the S3 server's filesystem backend keeps the archive's objects, each a file at its key.
     */
    final Path archive;
    /** Where this platform's invoicing writes the warehouse export (as {@link #archive}: a directory, or the S3 server's files). */
    final Path warehouse;
    /** invoicing's scratch directory: staged uploads, downloads, DuckDB's spill. */
    final Path scratch;

    /** A tenant: its id, its admin key, an ingest key; a SUM meter {@code bandwidth} on {@code bytes} and a per-unit plan {@code p}. */
    record Tenant(String id, String adminKey, String ingestKey) {
    }

    /** Starts {@code stack} (made but not started), then the three services on it with {@code env} added. */
    OwnPlatform(LocalStack stack, Map<String, String> env) throws Exception {
        this(stack, env, null);
    }

    /**
     * As {@link #OwnPlatform(LocalStack, Map)}, with ingest and rating in network namespace {@code apart} (null: none),
     * so a test can cut their way to Kafka or PostgreSQL; invoicing stays outside.
     */
    OwnPlatform(LocalStack stack, Map<String, String> env, NetworkNamespace apart) throws Exception {
        this.stack = stack;
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "own-platform-stop")); // even when a service fails to start
        this.addresses = stack.start();
        Map<String, String> all = new HashMap<>(addresses.asEnv());
        all.put("TALLY_ADMIN_TOKEN", operator);
        all.put("TALLY_OTEL_SDK_DISABLED", "true");
        // its own event archive: another stack's janitor would see these files as orphans of its own manifest
        String name = "archive-" + UUID.randomUUID();
        if (stack.hasObjectStorage()) {
            LocalStack.Storage s3 = stack.storage();
            all.putAll(s3.asEnv());
            all.put("TALLY_ARCHIVE_DIR", "s3://tally-archive/" + name);
            all.put("TALLY_WAREHOUSE_DIR", "s3://tally-warehouse/" + name);
            archive = s3.root().resolve("tally-archive").resolve(name);
            warehouse = s3.root().resolve("tally-warehouse").resolve(name);
        } else {
            archive = Path.of("target", name).toAbsolutePath();
            warehouse = Path.of("target", name + "-warehouse").toAbsolutePath();
            all.put("TALLY_ARCHIVE_DIR", archive.toString());
            all.put("TALLY_WAREHOUSE_DIR", warehouse.toString());
        }
        scratch = Path.of("target", name + "-scratch").toAbsolutePath();
        all.put("TALLY_ARCHIVE_SCRATCH_DIR", scratch.toString());
        all.putAll(env);
        this.ingest = place(new ServiceProcess("ingest", all), apart).start();
        this.rating = place(new ServiceProcess("rating", all), apart).start();
        this.invoicing = new ServiceProcess("invoicing", all).start();
    }

    private static ServiceProcess place(ServiceProcess service, NetworkNamespace apart) {
        return apart == null ? service : service.inNamespace(apart.name, NetworkNamespace.SERVICE_HOST);
    }

    /**
     * A tenant set up as {@link Tenant} says, its plan at {@code unitPrice} per byte; with {@code holdCloses} its close
     * grace is 31 days, so no period of it closes before the test lets it ({@link SystemRequests#closeGrace}).
     */
    static Tenant tenant(String invoicing, String operator, String name, String unitPrice, boolean holdCloses) {
        JsonPath t = given().baseUri(invoicing).header("Authorization", "Bearer " + operator).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}").post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
        String admin = t.getString("apiKey.key");
        if (holdCloses) {
            SystemRequests.closeGrace(invoicing, operator, t.getString("tenantId"), "P31D");
        }
        String key = post(invoicing, admin, "/v1/api-keys", "{\"scope\":\"ingest\"}").then().statusCode(201).extract().path("key");
        post(invoicing, admin, "/v1/meters", "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
                .then().statusCode(201);
        post(invoicing, admin, "/v1/plans?publish=true", """
                {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"%s"}}]}"""
                .formatted(unitPrice)).then().statusCode(201);
        return new Tenant(t.getString("tenantId"), admin, key);
    }

    Tenant tenant(String name, String unitPrice, boolean holdCloses) {
        return tenant(invoicing.url(), operator, name, unitPrice, holdCloses);
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] {invoicing, rating, ingest}) {
            if (s != null) {
                s.stop();
            }
        }
        stack.stop();
    }
}
