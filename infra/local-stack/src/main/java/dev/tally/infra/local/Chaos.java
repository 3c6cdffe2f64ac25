package dev.tally.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The event side of {@code ./tally chaos <scenario>} (the launcher injects the fault while this sends):
 * <ul>
 * <li>{@code send}: three tenants with four customers each; a seeded stream of {@code --events} event slots
 * across them, about a fifth repeats of ids sent before (duplicates), event times out of order over the last ten
 * minutes, sent in batches of 1,000 ({@code --pace} ms apart) and each retried until answered 200 (what a careful sender does when a
 * service dies under it); then one in a thousand events retracted. The expected totals, computed here from the
 * same seed, go to {@code $TALLY_HOME/chaos/expected.json}.</li>
 * <li>{@code verify}: waits until every customer's draft holds exactly the expected events, then prints one row
 * per customer — expected and counted events and bytes, lost, doubled — and each tenant's reconciliation drift.
 * Exits 1 on any loss, double count or drift.</li>
 * </ul>
 */
public final class Chaos {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TENANTS = 3;
    private static final int CUSTOMERS = 4;

    private Chaos() {
    }

    public static void main(String[] args) throws Exception {
        String phase = args.length > 0 ? args[0] : "send";
        int events = 200_000;
        long seed = 42;
        long pace = 0;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--pace" -> pace = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String home = env("TALLY_HOME", ".tally");
        Path state = Path.of(home, "chaos", "expected.json");
        String ingest = env("TALLY_INGEST_URL", "http://127.0.0.1:8081");
        String invoicing = env("TALLY_INVOICING_URL", "http://127.0.0.1:8083");
        if (phase.equals("send")) {
            send(Files.readString(Path.of(home, "admin-token")).trim(), ingest, invoicing, events, seed, pace, state);
        } else {
            System.exit(verify(invoicing, state) ? 0 : 1);
        }
    }

    private static void send(String operator, String ingest, String invoicing, int slots, long seed, long pace, Path state) throws Exception {
        Path progress = state.resolveSibling("progress");
        Files.createDirectories(state.getParent());
        Files.writeString(progress, "0");
        Random random = new Random(seed);
        ObjectNode expected = JSON.createObjectNode();
        ArrayNode tenants = expected.putArray("tenants");
        List<String> ingestKeys = new ArrayList<>();
        Instant monthStart = java.time.YearMonth.now(java.time.ZoneOffset.UTC).atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        for (int t = 0; t < TENANTS; t++) {
            JsonNode tenant = call("POST", invoicing + "/v1/admin/tenants", operator, "{\"name\":\"Chaos " + t + "\"}", 201);
            String admin = tenant.path("apiKey").path("key").asText();
            ingestKeys.add(call("POST", invoicing + "/v1/api-keys", admin, "{\"scope\":\"ingest\"}", 201).path("key").asText());
            call("POST", invoicing + "/v1/meters", admin, "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}", 201);
            call("POST", invoicing + "/v1/plans?publish=true", admin, """
                    {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.000001"}}]}""",
                    201);
            ObjectNode tn = tenants.addObject().put("tenantId", tenant.path("tenantId").asText()).put("adminKey", admin);
            ObjectNode customers = tn.putObject("customers");
            for (int c = 0; c < CUSTOMERS; c++) {
                call("POST", invoicing + "/v1/customers", admin, "{\"externalId\":\"c" + c + "\",\"name\":\"C" + c + "\",\"plan\":\"p\","
                        + "\"subscriptionStart\":\"" + monthStart + "\"}", 201);
                customers.putObject("c" + c).put("events", 0).put("bytes", 0);
            }
        }
        // a warm-up event per tenant: ingest learns the new tenants from the catalog asynchronously
        for (int t = 0; t < TENANTS; t++) {
            String e = "{\"id\":\"warm-up\",\"type\":\"bytes\",\"customer\":\"c0\",\"properties\":{\"bytes\":1}}";
            while (send("POST", ingest + "/v1/events", ingestKeys.get(t), "{\"events\":[" + e + "]}").statusCode() != 200) {
                Thread.sleep(200);
            }
            bump(tenants.get(t), "c0", 1);
        }
        Files.createDirectories(state.getParent());
        Files.writeString(state, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected));

        Instant now = Instant.now();
        List<List<String>> sent = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            sent.add(new ArrayList<>());
        }
        long duplicates = 0;
        long retries = 0;
        int batch = 1000;
        long started = System.nanoTime();
        for (int from = 0; from < slots; from += batch) {
            int t = (from / batch) % TENANTS;
            List<String> mine = sent.get(t);
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = from; i < Math.min(slots, from + batch); i++) {
                String e;
                if (!mine.isEmpty() && random.nextInt(5) == 0) {
                    e = mine.get(random.nextInt(mine.size()));
                    duplicates++;
                } else {
                    String customer = "c" + random.nextInt(CUSTOMERS);
                    long bytes = 1 + random.nextInt(1_000_000);
                    Instant at = now.minusMillis(1_000 + random.nextInt(600_000));
                    if (at.isBefore(monthStart)) {
                        at = monthStart;
                    }
                    e = "{\"id\":\"ev-" + i + "\",\"type\":\"bytes\",\"customer\":\"" + customer + "\",\"timestamp\":\"" + at
                            + "\",\"properties\":{\"bytes\":" + bytes + "}}";
                    mine.add(e);
                    bump(tenants.get(t), customer, bytes);
                }
                body.append(i == from ? "" : ",").append(e);
            }
            retries += sendUntilAnswered(ingest + "/v1/events", ingestKeys.get(t), body.append("]}").toString());
            Files.writeString(progress, Long.toString(Math.min(slots, from + batch) * 100L / slots)); // percent sent, for the launcher
            if (pace > 0) {
                Thread.sleep(pace);
            }
        }
        // retractions: one in a thousand of the events, by the tenant that sent it
        long retracted = 0;
        for (int t = 0; t < TENANTS; t++) {
            List<String> ids = new ArrayList<>();
            for (int k = 0; k < sent.get(t).size(); k += 1000) {
                JsonNode e = JSON.readTree(sent.get(t).get(k));
                ids.add(e.path("id").asText());
                bump(tenants.get(t), e.path("customer").asText(), -e.path("properties").path("bytes").asLong(), -1);
            }
            if (!ids.isEmpty()) {
                retries += sendUntilAnswered(ingest + "/v1/events/retract", ingestKeys.get(t), JSON.writeValueAsString(
                        Map.of("ids", ids, "reason", "chaos run: retracted on purpose")));
                retracted += ids.size();
            }
        }
        expected.put("slots", slots).put("duplicates", duplicates).put("retracted", retracted).put("retries", retries)
                .put("sendSeconds", (System.nanoTime() - started) / 1e9);
        Files.writeString(state, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected));
        System.out.printf("sent       %,d event slots (%,d duplicates) to %d tenants × %d customers, %,d retracted; %,d requests retried, %.1f s%n",
                slots, duplicates, TENANTS, CUSTOMERS, retracted, retries, (System.nanoTime() - started) / 1e9);
    }

    private static void bump(JsonNode tenant, String customer, long bytes) {
        bump(tenant, customer, bytes, 1);
    }

    private static void bump(JsonNode tenant, String customer, long bytes, int events) {
        ObjectNode c = (ObjectNode) tenant.path("customers").path(customer);
        c.put("events", c.path("events").asLong() + events).put("bytes", c.path("bytes").asLong() + bytes);
    }

    /** Sends until answered 200 (a dead or restarting service is retried, as a client would); returns the retries. */
    private static long sendUntilAnswered(String url, String key, String body) throws Exception {
        long retries = 0;
        long wait = 100;
        while (true) {
            try {
                HttpResponse<String> r = send("POST", url, key, body);
                if (r.statusCode() == 200) {
                    return retries;
                }
                if (r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 429 && r.statusCode() != 408) {
                    throw new IllegalStateException("refused: " + r.statusCode() + " " + r.body());
                }
            } catch (java.io.IOException e) {
                // connection refused or reset: the service is down
            }
            retries++;
            Thread.sleep(wait);
            wait = Math.min(wait * 2, 2000);
        }
    }

    private static boolean verify(String invoicing, Path state) throws Exception {
        JsonNode expected = JSON.readTree(Files.readString(state));
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long sumExpected = 0;
        long sumCounted = 0;
        boolean ok = true;
        System.out.printf("%n%-22s %-4s %10s %10s %16s %16s %6s %7s%n", "tenant", "cust", "events", "counted", "bytes", "counted bytes", "lost",
                "doubled");
        Map<String, Integer> drift = new LinkedHashMap<>();
        for (JsonNode t : expected.path("tenants")) {
            String admin = t.path("adminKey").asText();
            var it = t.path("customers").fields();
            while (it.hasNext()) {
                var c = it.next();
                long want = c.getValue().path("events").asLong();
                long wantBytes = c.getValue().path("bytes").asLong();
                JsonNode draft;
                while (true) {
                    draft = call("GET", invoicing + "/v1/customers/" + c.getKey() + "/invoices/draft", admin, null, 200);
                    long have = draft.path("lines").path(0).path("eventCount").asLong();
                    if (have >= want || System.nanoTime() > deadline) {
                        Thread.sleep(have >= want ? 1500 : 0); // anything counted twice would show up now
                        draft = call("GET", invoicing + "/v1/customers/" + c.getKey() + "/invoices/draft", admin, null, 200);
                        break;
                    }
                    Thread.sleep(500);
                }
                long have = draft.path("lines").path(0).path("eventCount").asLong();
                long haveBytes = new BigDecimal(draft.path("lines").path(0).path("quantity").asText("0")).longValueExact();
                long lost = Math.max(0, want - have);
                long doubled = Math.max(0, have - want);
                ok &= lost == 0 && doubled == 0 && haveBytes == wantBytes;
                sumExpected += want;
                sumCounted += have;
                System.out.printf("%-22s %-4s %,10d %,10d %,16d %,16d %6d %7d%s%n", t.path("tenantId").asText(), c.getKey(), want, have, wantBytes,
                        haveBytes, lost, doubled, haveBytes == wantBytes ? "" : "  ✘ bytes differ");
            }
            JsonNode rec = call("POST", invoicing + "/v1/reconciliations", admin, "{}", 201);
            drift.put(t.path("tenantId").asText(), rec.path("drifted").asInt());
            ok &= rec.path("drifted").asInt() == 0;
        }
        System.out.printf("%ntotal      %,d events expected, %,d counted; %,d slots sent, %,d duplicates, %,d retracted, %,d requests retried%n",
                sumExpected, sumCounted, expected.path("slots").asLong(), expected.path("duplicates").asLong(),
                expected.path("retracted").asLong(), expected.path("retries").asLong());
        drift.forEach((t, d) -> System.out.printf("reconcile  %s: drift on %d keys%n", t, d));
        System.out.println(ok ? "result     lost 0, doubled 0, drift 0  ✔" : "result     ✘ LOSS, DOUBLE COUNT OR DRIFT");
        return ok;
    }

    private static JsonNode call(String method, String url, String bearer, String body, int expected) throws Exception {
        return Demo.call(method, url, bearer, body, expected);
    }

    private static HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        return Demo.send(method, url, bearer, body);
    }

    private static String env(String name, String fallback) {
        return Demo.env(name, fallback);
    }
}
