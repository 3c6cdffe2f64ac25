package dev.tally.platform.security;

import dev.tally.platform.problem.Problem;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per caller (an API key): at most {@code limit} at once per service instance, so a few hundred
 * stalled uploads from one key hold at most {@code limit} worker threads and the others' requests go on. Taken before
 * the body is read and given back when the exchange ends however it ends (answered, failed, or the connection cut by
 * the read timeout); one over is answered 429 problem+json with {@code Retry-After} and writes nothing.
 */
public final class InFlightLimits {
    private final int limit;
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    /** {@code limit} ≤ 0: no limit. */
    public InFlightLimits(int limit) {
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }

    /** Takes a place for {@code caller}; false (and nothing taken) when it already has {@code limit} in flight. */
    public boolean tryAcquire(String caller) {
        if (limit <= 0) {
            return true;
        }
        boolean[] taken = {false};
        // compute() runs atomically per key: the count and the map entry change together
        inFlight.compute(caller, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back a place taken by {@link #tryAcquire}; a caller with none left is forgotten. */
    public void release(String caller) {
        if (limit <= 0) {
            return;
        }
        inFlight.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** What {@code caller} has in flight now. */
    public int inFlight(String caller) {
        return inFlight.getOrDefault(caller, 0);
    }

    /** The 429 answer for {@code who} (e.g. "API key k_1") with {@code limit} requests already in flight. */
    public static Response tooMany(String who, int limit) {
        Problem p = new Problem(Problem.TYPE_PREFIX + "too-many-in-flight", "Too many requests in flight", 429, who + " already has " + limit
                + " requests in flight here; retry after 1 s (nothing in this request was stored)", null, null);
        return Response.status(429).type(Problem.MEDIA_TYPE).header("Retry-After", 1).entity(p).build();
    }
}
