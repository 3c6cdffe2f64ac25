package dev.tally.admin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.admin.config.AdminConfig;
import dev.tally.admin.config.ServiceClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admin users' tokens ({@code tad_…}), verified by asking invoicing — which owns the users and their
 * roles — {@code GET /v1/admin/whoami} with the token. Answers are kept for 30 s by the token's
 * SHA-256 (never the token), so a disabled user is locked out within 30 s and invoicing is asked at
 * most twice a minute per user. Every role may use the admin UI, which only reads.
 */
@ApplicationScoped
public class AdminUsers {
    static final Duration CACHE = Duration.ofSeconds(30);

    @Inject
    AdminConfig config;
    @Inject
    ObjectMapper json;

    private final HttpClient client = ServiceClients.create(Duration.ofSeconds(2));
    private final ConcurrentHashMap<String, Verdict> cache = new ConcurrentHashMap<>();

    /** {@code actor} null: invoicing refused the token. */
    public record Verdict(String actor, String role, long until) {
    }

    public static boolean looksLikeAdminToken(String token) {
        return token.startsWith("tad_");
    }

    /** The user behind the token; fails (exceptionally) when invoicing cannot be asked. */
    public CompletionStage<Verdict> verify(String token) {
        String digest = HexFormat.of().formatHex(sha256(token));
        Verdict cached = cache.get(digest);
        if (cached != null && cached.until() > System.nanoTime()) {
            return CompletableFuture.completedFuture(cached);
        }
        URI invoicing = config.services().get("invoicing");
        if (invoicing == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no invoicing URL configured"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(invoicing.toString().replaceAll("/+$", "") + "/v1/admin/whoami")).timeout(config.probeTimeout())
                .header("Authorization", "Bearer " + token).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
            long until = System.nanoTime() + CACHE.toNanos();
            Verdict v;
            if (r.statusCode() == 200) {
                try {
                    var body = json.readTree(r.body());
                    v = new Verdict(body.path("actor").asText(), body.path("role").asText(), until);
                } catch (Exception e) {
                    throw new IllegalStateException("invoicing's whoami answer does not parse", e);
                }
            } else if (r.statusCode() == 401 || r.statusCode() == 403) {
                v = new Verdict(null, null, until);
            } else {
                throw new IllegalStateException("invoicing answered " + r.statusCode());
            }
            cache.put(digest, v);
            return v;
        });
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
