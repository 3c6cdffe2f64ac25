package dev.tally.ingest.api;

import dev.tally.platform.security.InFlightLimits;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * At most {@code tally.ingest.rate-limit.max-in-flight} writes in flight per API key and instance (docs/reliability.md):
 * checked after the key is known and before the body is read; the place is given back when the exchange ends, answered
 * or cut (a stalled body closed by the read timeout), so a few hundred stalled uploads from one key hold at most that
 * many worker threads and every other key goes on. One over: 429 problem+json, {@code Retry-After: 1}, nothing stored,
 * and its connection closed (its body is never read).
 */
public class InFlightFilter {
    @Inject
    RateLimiter limiter;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 10)
    public Response limit(ContainerRequestContext request, RoutingContext http) {
        if ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()) || !(request.getProperty(Tenant.PROPERTY) instanceof Tenant t)) {
            return null;
        }
        InFlightLimits limits = limiter.inFlight();
        if (!limits.tryAcquire(t.keyId())) {
            // its body is never read: the connection is closed once the answer is out, not left waiting for the body
            http.addEndHandler(ended -> http.request().connection().close());
            return InFlightLimits.tooMany("API key " + t.keyId(), limits.limit());
        }
        AtomicBoolean released = new AtomicBoolean();
        http.addEndHandler(ended -> {
            if (released.compareAndSet(false, true)) {
                limits.release(t.keyId());
            }
        });
        return null;
    }
}
