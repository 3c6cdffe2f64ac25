package dev.tally.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.admin.api.HealthReport.Service;
import dev.tally.admin.api.HealthReport.Status;
import dev.tally.admin.config.AdminConfig;
import dev.tally.admin.config.ServiceClients;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** Reads one service's {@code <url>/q/health/ready} without blocking; never fails, every outcome is a {@link Service}. */
@Singleton
public class ReadinessProbe implements AutoCloseable {
    static final String READY_PATH = "/q/health/ready";

    private final HttpClient client;
    private final Duration timeout;
    private final ObjectMapper json;

    @Inject
    public ReadinessProbe(AdminConfig config, ObjectMapper json) {
        this(config.probeTimeout(), json);
    }

    public ReadinessProbe(Duration timeout, ObjectMapper json) {
        this.timeout = timeout;
        this.json = json;
        this.client = ServiceClients.create(timeout);
    }

    public CompletableFuture<Service> probe(String name, URI baseUrl) {
        String url = baseUrl.toString();
        long started = System.nanoTime();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(readyUri(url))
                    .timeout(timeout)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Service(name, url, Status.UNREACHABLE, null,
                    json.createArrayNode(), 0, "invalid URL: " + url));
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    return failure == null
                            ? answered(name, url, response, latencyMs)
                            : new Service(name, url, Status.UNREACHABLE, null, json.createArrayNode(), latencyMs,
                                    describe(failure));
                });
    }

    static URI readyUri(String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        URI uri = URI.create(base + READY_PATH);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("not an absolute http(s) URL");
        }
        return uri;
    }

    private Service answered(String name, String url, HttpResponse<String> response, long latencyMs) {
        JsonNode body = parse(response.body());
        JsonNode checks = body.path("checks").isArray() ? body.get("checks") : json.createArrayNode();
        boolean up = response.statusCode() == 200 && "UP".equals(body.path("status").asText());
        return new Service(name, url, up ? Status.UP : Status.DOWN, response.statusCode(), checks, latencyMs, null);
    }

    private JsonNode parse(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : json.readTree(body);
            return node == null ? json.createObjectNode() : node;
        } catch (IOException e) {
            return json.createObjectNode(); // not JSON (a 404 page, a proxy's error): no checks to show
        }
    }

    /** A one-line reason for the page; never a stack trace. */
    private String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpConnectTimeoutException) {
            return "connect timed out after " + timeout.toMillis() + " ms";
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    @PreDestroy
    @Override
    public void close() {
        client.close();
    }
}
