package dev.tally.ingest.api;

import dev.tally.ingest.config.IngestConfig;
import dev.tally.platform.security.RateLimits;
import jakarta.enterprise.context.ApplicationScoped;

/** Ingest's requests per second per API key ({@code tally.ingest.rate-limit.*}), by the platform's {@link RateLimits}. */
@ApplicationScoped
public class RateLimiter {
    final RateLimits limits;

    RateLimiter(IngestConfig config) {
        this.limits = new RateLimits(config.rateLimit().requestsPerSecond(), config.rateLimit().burst());
    }

    /** 0 if the key may send now, else the Retry-After in seconds. */
    public long retryAfter(String keyId) {
        return limits.retryAfter(keyId);
    }
}
