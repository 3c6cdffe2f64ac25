package dev.tally.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Stand-ins for the watched services, on a random local port: {@code /up} answers like a ready Quarkus
 * service, {@code /down} like one whose Kafka check fails (503), {@code /slow} never in time, and any
 * other path 404. The admin-ui under test sees ingest up, rating on a closed port, invoicing down.
 */
public class StubServices implements QuarkusTestResourceLifecycleManager {
    static final String UP_BODY = """
            {"status":"UP","checks":[{"name":"Database connections health check","status":"UP"},\
            {"name":"Kafka connection health check","status":"UP"}]}""";
    static final String DOWN_BODY = """
            {"status":"DOWN","checks":[{"name":"Kafka connection health check","status":"DOWN",\
            "data":{"bootstrap.servers":"127.0.0.1:19092"}}]}""";
    /** Nothing listens on port 1 on a test machine; connecting there is refused at once. */
    public static final String CLOSED = "http://127.0.0.1:1";

    private HttpServer server;
    private ExecutorService executor;

    /** Starts the stub server and answers its base URL; for tests that use it without Quarkus. */
    public String listen() throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/up/q/health/ready", exchange -> respond(exchange, 200, UP_BODY));
        server.createContext("/down/q/health/ready", exchange -> respond(exchange, 503, DOWN_BODY));
        server.createContext("/ok-but-down/q/health/ready", exchange -> respond(exchange, 200, DOWN_BODY));
        server.createContext("/slow/q/health/ready", exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, UP_BODY);
        });
        server.setExecutor(executor);
        server.start();
        return baseUrl();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public Map<String, String> start() {
        try {
            listen();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the stub services", e);
        }
        return Map.of(
                "tally.admin.services.ingest", baseUrl() + "/up",
                "tally.admin.services.rating", CLOSED,
                "tally.admin.services.invoicing", baseUrl() + "/down");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
