package dev.tally.system;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded, messy stream of {@code bytes} events over a few customers, as the multi-instance and replication tests
 * send it: {@code batches} bodies of {@code perBatch} events; about a fifth repeat an id sent before (in this body or an
 * earlier one: a duplicate), event times spread over the last minute out of order. What each customer should end with
 * counts every id once ({@link #events}, {@link #bytes}); {@link #retract} takes retracted ones out.
 */
final class SeededStream {
    final List<String> customers;
    final List<String> bodies = new ArrayList<>();
    /** customer → {unique events, their bytes}. */
    final Map<String, long[]> expected = new LinkedHashMap<>();
    /** event id → {customer index, bytes}. */
    final Map<String, long[]> byId = new HashMap<>();

    SeededStream(String prefix, List<String> customers, int batches, int perBatch, long seed) {
        this.customers = customers;
        Random random = new Random(seed);
        customers.forEach(c -> expected.put(c, new long[2]));
        List<String> sent = new ArrayList<>();
        Instant now = Instant.now();
        for (int b = 0; b < batches; b++) {
            StringBuilder sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < perBatch; i++) {
                String e;
                if (!sent.isEmpty() && random.nextInt(5) == 0) {
                    e = sent.get(random.nextInt(sent.size()));
                } else {
                    int c = random.nextInt(customers.size());
                    long bytes = 1 + random.nextInt(1_000_000);
                    String id = prefix + b + "-" + i;
                    e = event(id, customers.get(c), now.minusMillis(5_000 + random.nextInt(55_000)), bytes);
                    sent.add(e);
                    byId.put(id, new long[] {c, bytes});
                    expected.get(customers.get(c))[0]++;
                    expected.get(customers.get(c))[1] += bytes;
                }
                sb.append(i == 0 ? "" : ",").append(e);
            }
            bodies.add(sb.append("]}").toString());
        }
    }

    /**
     * How many times longer than CI's a stream is: {@code -Dtally.scale} (default 1), for the long versions of the fault
     * tests ({@code ./tally chaos <scenario> --scale N}). A test multiplies its number of requests, and the request counts
     * its faults wait for, by this.
     */
    static int scale() {
        return Math.max(1, Integer.getInteger("tally.scale", 1));
    }

    static String event(String id, String customer, Instant at, long bytes) {
        return "{\"id\":\"%s\",\"type\":\"bytes\",\"customer\":\"%s\",\"timestamp\":\"%s\",\"properties\":{\"bytes\":%d}}".formatted(id, customer, at,
                bytes);
    }

    long events(String customer) {
        return expected.get(customer)[0];
    }

    long bytes(String customer) {
        return expected.get(customer)[1];
    }

    /** One line for the log: how long the stream was and what each customer ended with, counted exactly once. */
    String summary() {
        long unique = expected.values().stream().mapToLong(e -> e[0]).sum();
        return "stream: %d requests, %d event slots, %d unique unretracted events over %d customers, each counted exactly once".formatted(bodies.size(),
                bodies.stream().mapToLong(b -> b.split("\"id\":").length - 1L).sum(), unique, customers.size());
    }

    /** Takes retracted events out of what their customers should end with. */
    void retract(List<String> ids) {
        for (String id : ids) {
            long[] e = byId.get(id);
            long[] x = expected.get(customers.get((int) e[0]));
            x[0]--;
            x[1] -= e[1];
        }
    }

    /** {@code /v1/customers/<draft>} at {@code invoicing} once its line has {@code events} events (and still 1.5 s later). */
    static JsonPath awaitDraft(String invoicing, String admin, String draft, long events) {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = given().baseUri(invoicing).header("Authorization", "Bearer " + admin).get("/v1/customers/" + draft).then().statusCode(200)
                    .extract().jsonPath();
            if (!last.getList("lines").isEmpty() && last.getLong("lines[0].eventCount") == events) {
                sleep(1500); // anything counted twice would show up now
                return given().baseUri(invoicing).header("Authorization", "Bearer " + admin).get("/v1/customers/" + draft).then().statusCode(200)
                        .extract().jsonPath();
            }
            sleep(250);
        }
        throw new AssertionError(draft + " never reached " + events + " events; last: " + (last == null ? null : last.prettify()));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
