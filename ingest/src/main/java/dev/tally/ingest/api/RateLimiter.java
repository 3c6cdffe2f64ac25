package dev.tally.ingest.api;

import dev.tally.ingest.config.IngestConfig;
import dev.tally.platform.security.InFlightLimits;
import dev.tally.platform.security.RateLimits;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ingest's requests per second per API key ({@code tally.ingest.rate-limit.*}), by the platform's {@link RateLimits},
 * and its writes in flight per key ({@link InFlightLimits}).
 */
@ApplicationScoped
public class RateLimiter {
    final RateLimits limits;
    /** Writes in flight per key (taken and given back by {@link InFlightFilter}). */
    final InFlightLimits inFlight;

    RateLimiter(IngestConfig config) {
        this.limits = new RateLimits(config.rateLimit().requestsPerSecond(), config.rateLimit().burst());
        this.inFlight = new InFlightLimits(config.rateLimit().maxInFlight());
    }

    /** Writes in flight per key (a method: this bean is reached through its client proxy). */
    public InFlightLimits inFlight() {
        return inFlight;
    }

    /** 0 if the key may send now, else the Retry-After in seconds. */
    public long retryAfter(String keyId) {
        return limits.retryAfter(keyId);
    }
}
