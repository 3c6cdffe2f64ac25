package dev.tally.ingest.api;

import dev.tally.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per second per API key, as a token bucket (steady rate, bounded burst), per ingest
 * instance: N instances behind a load balancer allow up to N × the rate. A refused request is
 * answered 429 with Retry-After before its body is read, and writes nothing.
 */
@ApplicationScoped
public class RateLimiter {
    final double rate;
    final double burst;

    RateLimiter(IngestConfig config) {
        this.rate = config.rateLimit().requestsPerSecond();
        this.burst = config.rateLimit().burst();
    }

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private final class Bucket {
        double tokens = burst;
        long last = System.nanoTime();

        /** 0 when a token was taken, else the seconds until one is available. */
        synchronized long take(long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }
    }

    /** 0 if the key may send now, else the Retry-After in seconds. */
    public long retryAfter(String keyId) {
        if (rate <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(keyId, k -> new Bucket()).take(System.nanoTime());
    }
}
