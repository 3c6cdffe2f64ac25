package dev.tally.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The event side of {@code ./tally chaos <scenario>} (the launcher injects the fault while this sends):
 * <ul>
 * <li>{@code send}: three tenants with four customers each, on monthly periods anchored a few days back. First the
 * previous period's usage (1 % of {@code --events}, at least 120) is sent, rated and its period closed — one invoice
 * per customer. Then a seeded stream of {@code --events} event slots across them: about a fifth repeats of ids sent
 * before (duplicates, the closed period's included), event times out of order over the last ten minutes, one in
 * fifty a late event for the closed period; sent in batches of 1,000 ({@code --pace} ms apart) and each retried
 * until answered 200 (what a careful sender does when a service dies under it); then one in a thousand events
 * retracted, in either period. The expected totals, computed here from the same seed, go to
 * {@code $TALLY_HOME/chaos/expected.json}.</li>
 * <li>{@code verify}: waits until every customer's drafts hold exactly the expected events, then prints per customer
 * the open period, the closed period with its late usage, and the closed period's invoice — expected and counted
 * events and bytes, the amount (exact to the cent), lost, doubled — then the open period's draft billing the late
 * usage as an adjustment (the closed period's line priced now minus what its invoice billed; the draft is the
 * invoice its close will make), and each tenant's reconciliation: no drift, and the late usage (exactly) as pending
 * adjustments. Exits 1 on any difference.</li>
 * </ul>
 */
public final class Chaos {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int TENANTS = 3;
    static final int CUSTOMERS = 4;

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
        // monthly periods anchored a few days back: the previous period [p0, boundary) ended days ago, yet its last days
        // are young enough to be ingested (the 35-day window), so it can be closed and then receive late events
        LocalDate anchor = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        if (anchor.getDayOfMonth() > 28) {
            anchor = anchor.withDayOfMonth(28);
        }
        Instant boundary = anchor.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant p0 = anchor.minusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        expected.put("p0", p0.toString()).put("boundary", boundary.toString());
        List<String> ingestKeys = setUpTenants(operator, invoicing, anchor, p0, tenants);
        warmUp(ingest, ingestKeys, tenants);
        Files.writeString(state, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected));

        ChaosTraffic traffic = new ChaosTraffic(ingest, ingestKeys, tenants, random, boundary);
        // the previous period's usage, on time: sent, rated, then the period is closed
        int onTime = Math.max(TENANTS * CUSTOMERS * 10, slots / 100);
        traffic.previousPeriod(onTime);
        int closed = closePreviousPeriods(invoicing, tenants, boundary);
        System.out.printf("closed     %d periods [%s, %s) holding %,d events, before the stream%n", closed, p0, boundary, onTime / TENANTS * TENANTS);

        Instant now = Instant.now();
        long started = System.nanoTime();
        ChaosTraffic.Stream stream = traffic.stream(now, slots, pace, progress);
        long retracted = traffic.retract();
        expected.put("slots", slots).put("duplicates", stream.duplicates()).put("late", stream.late()).put("retracted", retracted)
                .put("retries", traffic.retries()).put("sendSeconds", (System.nanoTime() - started) / 1e9);
        Files.writeString(state, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected));
        System.out.printf("sent       %,d event slots (%,d duplicates, %,d late for the closed period) to %d tenants × %d customers, %,d retracted;"
                + " %,d requests retried, %.1f s%n", slots, stream.duplicates(), stream.late(), TENANTS, CUSTOMERS, retracted, traffic.retries(),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * {@link #TENANTS} tenants, each with a meter, a published plan and {@link #CUSTOMERS} customers subscribed from
     * {@code p0}, recorded in {@code tenants} with zeroed expectations; returns each tenant's ingest key.
     */
    private static List<String> setUpTenants(String operator, String invoicing, LocalDate anchor, Instant p0, ArrayNode tenants) throws Exception {
        List<String> ingestKeys = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            JsonNode tenant = call("POST", invoicing + "/v1/admin/tenants", operator, "{\"name\":\"Chaos " + t + "\"}", 201);
            String tenantId = tenant.path("tenantId").asText();
            // periods close when this run says so, not by the scheduled closer
            call("PATCH", invoicing + "/v1/admin/tenants/" + tenantId, operator, "{\"closeGrace\":\"P31D\"}", 200);
            String admin = tenant.path("apiKey").path("key").asText();
            ingestKeys.add(call("POST", invoicing + "/v1/api-keys", admin, "{\"scope\":\"ingest\"}", 201).path("key").asText());
            call("POST", invoicing + "/v1/meters", admin, "{\"key\":\"bandwidth\",\"eventType\":\"bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}", 201);
            call("POST", invoicing + "/v1/plans?publish=true", admin, """
                    {"key":"p","name":"P","currency":"USD","charges":[{"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"0.000001"}}]}""",
                    201);
            ObjectNode tn = tenants.addObject().put("tenantId", tenantId).put("adminKey", admin);
            ObjectNode customers = tn.putObject("customers");
            for (int c = 0; c < CUSTOMERS; c++) {
                JsonNode created = call("POST", invoicing + "/v1/customers", admin, "{\"externalId\":\"c" + c + "\",\"name\":\"C" + c + "\",\"currency\":\"USD\"}", 201);
                call("POST", invoicing + "/v1/subscriptions", admin, "{\"customer\":\"c" + c + "\",\"plan\":\"p\",\"start\":\"" + p0
                        + "\",\"billingCycle\":{\"interval\":\"MONTHLY\",\"anchorDay\":" + anchor.getDayOfMonth() + "}}", 201);
                ObjectNode cn = customers.putObject("c" + c).put("customerId", created.path("customerId").asText());
                for (String period : List.of("p0", "p1", "p0Invoiced")) {
                    cn.putObject(period).put("events", 0).put("bytes", 0);
                }
            }
        }
        return ingestKeys;
    }

    /** A warm-up event per tenant: ingest learns the new tenants from the catalog asynchronously. */
    private static void warmUp(String ingest, List<String> ingestKeys, ArrayNode tenants) throws Exception {
        for (int t = 0; t < TENANTS; t++) {
            String e = "{\"id\":\"warm-up\",\"type\":\"bytes\",\"customer\":\"c0\",\"properties\":{\"bytes\":1}}";
            while (send("POST", ingest + "/v1/events", ingestKeys.get(t), "{\"events\":[" + e + "]}").statusCode() != 200) {
                Thread.sleep(200);
            }
            bump(tenants.get(t), "c0", "p1", 1, 1);
        }
    }

    /**
     * Once each customer's draft for the previous period holds its on-time events (rated), closes that period: one
     * invoice per customer, recorded under {@code p0Invoiced}. Returns the number of periods closed.
     */
    private static int closePreviousPeriods(String invoicing, ArrayNode tenants, Instant boundary) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int closed = 0;
        for (JsonNode t : tenants) {
            String admin = t.path("adminKey").asText();
            var it = t.path("customers").fields();
            while (it.hasNext()) {
                var c = it.next();
                long want = c.getValue().path("p0Invoiced").path("events").asLong();
                while (eventCount(call("GET", invoicing + "/v1/customers/" + c.getKey() + "/invoices/draft?at=" + boundary.minusSeconds(1), admin,
                        null, 200)) < want) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the previous period's usage was not rated in time");
                    }
                    Thread.sleep(300);
                }
                JsonNode invoice = call("POST", invoicing + "/v1/invoices/close", admin, "{\"customer\":\"" + c.getKey() + "\"}", 201);
                ((ObjectNode) c.getValue().path("p0Invoiced")).put("invoiceId", invoice.path("invoiceId").asText())
                        .put("number", invoice.path("number").asText());
                closed++;
            }
        }
        return closed;
    }


    static String event(String id, String customer, Instant at, long bytes) {
        return "{\"id\":\"" + id + "\",\"type\":\"bytes\",\"customer\":\"" + customer + "\",\"timestamp\":\"" + at
                + "\",\"properties\":{\"bytes\":" + bytes + "}}";
    }

    static void bump(JsonNode tenant, String customer, String period, long bytes, int events) {
        ObjectNode c = (ObjectNode) tenant.path("customers").path(customer).path(period);
        c.put("events", c.path("events").asLong() + events).put("bytes", c.path("bytes").asLong() + bytes);
    }

    private static long eventCount(JsonNode invoice) {
        return invoice.path("lines").path(0).path("eventCount").asLong();
    }

    private static long quantity(JsonNode invoice) {
        return new BigDecimal(invoice.path("lines").path(0).path("quantity").asText("0")).longValueExact();
    }

    /** bytes × USD 0.000001, rounded once to the cent (HALF_EVEN), as the plan prices them. */
    private static BigDecimal priced(long bytes) {
        return BigDecimal.valueOf(bytes).movePointLeft(6).setScale(2, RoundingMode.HALF_EVEN);
    }

    /** Sends until answered 200 (a dead or restarting service is retried, as a client would); returns the retries. */
    static long sendUntilAnswered(String url, String key, String body) throws Exception {
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
            } catch (IOException e) {
                // connection refused or reset: the service is down
            }
            retries++;
            Thread.sleep(wait);
            wait = Math.min(wait * 2, 2000);
        }
    }

    /**
     * Per customer and period: the open period's draft and the closed period's usage as it now stands (on-time plus
     * late, less retractions) against the seed's totals — events, bytes and the amount to the cent — and the closed
     * period's invoice, which must still hold exactly its on-time usage. Then each tenant's reconciliation: no drift,
     * and for each customer with late usage a pending adjustment of exactly that usage.
     */
    private static boolean verify(String invoicing, Path state) throws Exception {
        JsonNode expected = JSON.readTree(Files.readString(state));
        Instant boundary = Instant.parse(expected.path("boundary").asText());
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long sumExpected = 0;
        long sumCounted = 0;
        boolean ok = true;
        System.out.printf("%n%-22s %-4s %-12s %9s %9s %14s %14s %10s %5s %7s%n", "tenant", "cust", "period", "events", "counted", "bytes",
                "counted bytes", "amount", "lost", "doubled");
        List<String> reconciled = new ArrayList<>();
        for (JsonNode t : expected.path("tenants")) {
            String admin = t.path("adminKey").asText();
            Map<String, Long> lateBytes = new LinkedHashMap<>();
            var it = t.path("customers").fields();
            while (it.hasNext()) {
                var c = it.next();
                String base = invoicing + "/v1/customers/" + c.getKey() + "/invoices/draft";
                for (String period : List.of("p1", "p0")) {
                    JsonNode want = c.getValue().path(period);
                    String url = period.equals("p1") ? base : base + "?at=" + boundary.minusSeconds(1);
                    JsonNode draft = awaitDraft(url, admin, want, deadline);
                    ok &= row(t, c.getKey(), period.equals("p1") ? "open" : "closed+late", want, draft);
                    sumExpected += want.path("events").asLong();
                    sumCounted += eventCount(draft);
                }
                JsonNode invoiced = c.getValue().path("p0Invoiced");
                JsonNode invoice = call("GET", invoicing + "/v1/invoices/" + invoiced.path("invoiceId").asText(), admin, null, 200);
                ok &= row(t, c.getKey(), "invoiced", invoiced, invoice);
                ok &= adjustmentRow(t, c.getKey(), base, admin, c.getValue().path("p0").path("bytes").asLong(), invoiced.path("bytes").asLong());
                long pending = c.getValue().path("p0").path("bytes").asLong() - invoiced.path("bytes").asLong();
                if (pending != 0) {
                    lateBytes.put(c.getValue().path("customerId").asText(), pending);
                }
            }
            JsonNode rec = call("POST", invoicing + "/v1/reconciliations", admin, "{}", 201);
            Map<String, Long> pendingSeen = new LinkedHashMap<>();
            for (JsonNode p : rec.path("pending")) {
                pendingSeen.put(p.path("customerId").asText(), -new BigDecimal(p.path("invoicedDrift").asText()).longValueExact());
            }
            boolean recOk = rec.path("drifted").asInt() == 0 && pendingSeen.equals(lateBytes);
            ok &= recOk;
            reconciled.add(String.format("reconcile  %s: %,d records, %d keys, drift on %d, pending adjustments %d (late bytes %s)%s",
                    t.path("tenantId").asText(), rec.path("recordsRead").asLong(), rec.path("keysCompared").asInt(), rec.path("drifted").asInt(),
                    rec.path("pendingAdjustments").asInt(), pendingSeen.equals(lateBytes) ? "as expected" : "expected " + lateBytes + ", got " + pendingSeen,
                    recOk ? "" : "  ✘"));
        }
        System.out.printf("%ntotal      %,d events expected, %,d counted; %,d slots sent, %,d duplicates, %,d late, %,d retracted, %,d requests retried%n",
                sumExpected, sumCounted, expected.path("slots").asLong(), expected.path("duplicates").asLong(), expected.path("late").asLong(),
                expected.path("retracted").asLong(), expected.path("retries").asLong());
        reconciled.forEach(System.out::println);
        System.out.println(ok ? "result     lost 0, doubled 0, amounts exact, drift 0  ✔" : "result     ✘ LOSS, DOUBLE COUNT, WRONG AMOUNT OR DRIFT");
        return ok;
    }

    /**
     * The draft at {@code url} once it holds {@code want}'s events and bytes (or the deadline passed), read again a
     * moment later: anything counted twice would show up by then.
     */
    private static JsonNode awaitDraft(String url, String admin, JsonNode want, long deadline) throws Exception {
        while (true) {
            JsonNode draft = call("GET", url, admin, null, 200);
            long have = eventCount(draft);
            if (have == want.path("events").asLong() && quantity(draft) == want.path("bytes").asLong() || System.nanoTime() > deadline) {
                Thread.sleep(System.nanoTime() > deadline ? 0 : 1500); // anything counted twice would show up now
                return call("GET", url, admin, null, 200);
            }
            Thread.sleep(500);
        }
    }

    /**
     * The open period's draft is the invoice its close will make, so it also bills the closed period's late usage:
     * one adjustment of the closed period's line priced now (all its bytes) minus what its invoice billed, and the
     * total is the open period's line plus that adjustment.
     */
    private static boolean adjustmentRow(JsonNode tenant, String customer, String draftUrl, String admin, long closedBytes, long invoicedBytes)
            throws Exception {
        JsonNode draft = call("GET", draftUrl, admin, null, 200);
        BigDecimal adjustments = BigDecimal.ZERO;
        for (JsonNode a : draft.path("adjustments")) {
            adjustments = adjustments.add(new BigDecimal(a.path("amount").asText()));
        }
        BigDecimal want = priced(closedBytes).subtract(priced(invoicedBytes));
        BigDecimal line = new BigDecimal(draft.path("lines").path(0).path("amount").asText("0"));
        BigDecimal total = new BigDecimal(draft.path("total").asText("0"));
        boolean exact = adjustments.compareTo(want) == 0 && total.compareTo(line.add(adjustments)) == 0;
        System.out.printf("%-22s %-4s %-12s %9s %9s %,14d %14s %10s %5s %7s%s%n", tenant.path("tenantId").asText(), customer, "open: late", "", "",
                closedBytes - invoicedBytes, "", adjustments.toPlainString(), "", "",
                exact ? "" : "  ✘ expected an adjustment of USD " + want + " and a total of line + adjustments, got total " + total);
        return exact;
    }

    private static boolean row(JsonNode tenant, String customer, String label, JsonNode want, JsonNode invoice) {
        long events = want.path("events").asLong();
        long bytes = want.path("bytes").asLong();
        long have = eventCount(invoice);
        long haveBytes = quantity(invoice);
        BigDecimal amount = new BigDecimal(invoice.path("lines").path(0).path("amount").asText("0"));
        boolean exact = have == events && haveBytes == bytes && amount.compareTo(priced(bytes)) == 0;
        System.out.printf("%-22s %-4s %-12s %,9d %,9d %,14d %,14d %10s %5d %7d%s%n", tenant.path("tenantId").asText(), customer, label, events, have,
                bytes, haveBytes, amount.toPlainString(), Math.max(0, events - have), Math.max(0, have - events),
                exact ? "" : "  ✘ expected USD " + priced(bytes) + " for " + bytes + " bytes");
        return exact;
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
