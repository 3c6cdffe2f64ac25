package dev.tally.platform.security;

import dev.tally.platform.problem.Problem;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per second per caller (an API key, an admin user, the operator token), as a token bucket: a steady
 * rate with a bounded burst, per service instance — N instances behind a load balancer allow up to N × the rate.
 * A refused request is answered 429 problem+json with {@code Retry-After} before its body is read, and writes
 * nothing.
 */
public final class RateLimits {
    private final double rate;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** {@code rate} ≤ 0: no limit. */
    public RateLimits(double rate, double burst) {
        this.rate = rate;
        this.burst = Math.max(1, burst);
    }

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

    /** 0 if {@code caller} may send now, else the Retry-After in seconds. */
    public long retryAfter(String caller) {
        if (rate <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(caller, k -> new Bucket()).take(System.nanoTime());
    }

    /** The 429 answer for {@code who} (e.g. "API key k_1"), to abort a request with. */
    public static Response tooMany(String who, long retryAfter) {
        Problem p = new Problem(Problem.TYPE_PREFIX + "rate-limited", "Too many requests", 429, who + " is over its rate limit; retry after "
                + retryAfter + " s (nothing in this request was stored)", null, null);
        return Response.status(429).type(Problem.MEDIA_TYPE).header("Retry-After", retryAfter).entity(p).build();
    }
}
