package dev.tally.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code ./tally demo}: on a running platform, creates a tenant, an ingest key, a bandwidth meter,
 * a per-byte price and a customer on a subscription that ends {@value #SUBSCRIPTION_SECONDS_LEFT} s later;
 * sends a few thousand events (some of them twice); prints the customer's draft invoice next to the total
 * computed here from the events that were sent; then, once the subscription's period has ended, closes it
 * and prints the finalized invoice (number, lines with their price steps), which must equal the draft, its
 * explanation, and a reconciliation of the accepted events against rating and the invoice (zero drift). Beside that
 * self-serve customer, a negotiated contract customer ({@link ContractDemo}): a price override and a prepaid commitment.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final BigDecimal PRICE_PER_BYTE = new BigDecimal("0.00000000009"); // $0.09 per GB

    private final String ingest;
    private final String invoicing;

    private Demo(String ingest, String invoicing) {
        this.ingest = ingest;
        this.invoicing = invoicing;
    }

    /** How long the demo subscription runs on after the events are sent: its period then ends and is finalized. */
    private static final long SUBSCRIPTION_SECONDS_LEFT = 20;
    /** The events' timestamps lie within this many seconds before they are sent. */
    private static final long SPREAD_SECONDS = 600;

    public static void main(String[] args) throws Exception {
        String home = env("TALLY_HOME", ".tally");
        String operator = Files.readString(Path.of(home, "admin-token")).trim();
        new Demo(env("TALLY_INGEST_URL", "http://127.0.0.1:8081"), env("TALLY_INVOICING_URL", "http://127.0.0.1:8083"))
                .run(operator, Integer.parseInt(env("TALLY_DEMO_EVENTS", "3000")));
    }

    private void run(String operator, int events) throws Exception {
        Setup setup = setUp(operator);
        ContractDemo contract = new ContractDemo(ingest, invoicing, setup.adminKey());
        contract.setUp(setup.start(), setup.end());
        Random random = new Random(42);
        Events generated = events(events, setup.start(), random);
        int accepted = sendEvents(setup.ingestKey(), generated.all(), random);
        contract.send(setup.ingestKey(), Math.max(1, events / 3), random);
        JsonNode invoice = awaitDraft(setup.adminKey(), accepted);
        print("Draft invoice", invoice, generated.bytes());
        JsonNode contractDraft = contract.draft();
        JsonNode finalized = closeWhenEnded(setup.adminKey(), setup.end(), invoice, generated.bytes());
        contract.close(contractDraft);
        explain(setup.adminKey(), finalized.path("invoiceId").asText());
        reconcile(setup.adminKey());
        showConsole(operator, setup.tenant().path("tenantId").asText(), finalized);
        showPortal(setup.adminKey());
    }

    /** The demo tenant: its admin and ingest keys, and the subscription's start and end. */
    private record Setup(JsonNode tenant, String adminKey, String ingestKey, Instant start, Instant end) {
    }

    /** The events to send, in order, and the bytes they hold (each event once). */
    private record Events(List<ObjectNode> all, BigDecimal bytes) {
    }

    /** A tenant with its keys, the bandwidth meter, the plan, and a customer on a subscription ending shortly. */
    private Setup setUp(String operator) throws Exception {
        JsonNode tenant = call("POST", invoicing + "/v1/admin/tenants", operator, "{\"name\":\"Demo Tunnels Inc\"}", 201);
        String adminKey = tenant.path("apiKey").path("key").asText();
        String ingestKey = call("POST", invoicing + "/v1/api-keys", adminKey, "{\"scope\":\"ingest\"}", 201).path("key").asText();
        call("POST", invoicing + "/v1/meters", adminKey,
                "{\"key\":\"bandwidth\",\"eventType\":\"tunnel.bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}", 201);
        call("POST", invoicing + "/v1/plans?publish=true", adminKey, """
                {"schemaVersion":1,"key":"gateway","name":"Gateway","currency":"USD",
                 "charges":[{"meter":"bandwidth","description":"Tunnel bandwidth (bytes)",
                             "price":{"model":"per_unit","unitPrice":"%s"}}]}"""
                .formatted(PRICE_PER_BYTE.toPlainString()), 201);
        call("POST", invoicing + "/v1/customers", adminKey, """
                {"externalId":"acme-tunnels","name":"Acme Tunnels","currency":"USD",
                 "aliases":{"cidrs":["198.51.100.0/24"],"hostnames":["acme.tunnels.example"]}}""", 201);
        // a subscription that ends shortly, so the demo can close its (short) period and finalize the invoice
        // it starts a minute before the events (or at the month's start, so its one period holds them all: periods are calendar months)
        Instant end = Instant.now().plusSeconds(SUBSCRIPTION_SECONDS_LEFT).truncatedTo(ChronoUnit.SECONDS);
        Instant monthStart = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant start = Instant.now().minusSeconds(SPREAD_SECONDS + 60).truncatedTo(ChronoUnit.SECONDS);
        if (start.isBefore(monthStart)) {
            start = monthStart;
        }
        String subscription = call("POST", invoicing + "/v1/subscriptions", adminKey, """
                {"customer":"acme-tunnels","plan":"gateway","start":"%s","end":"%s"}""".formatted(start, end), 201)
                .path("subscriptionId").asText();
        System.out.println("tenant     " + tenant.path("tenantId").asText() + " (admin key " + tenant.path("apiKey").path("keyId").asText()
                + ", ingest key created)");
        System.out.println("catalog    meter 'bandwidth' = SUM(bytes) of tunnel.bytes; plan 'gateway' at USD "
                + PRICE_PER_BYTE.toPlainString() + "/byte (version 1, published); customer 'acme-tunnels' (also 198.51.100.0/24,"
                + " acme.tunnels.example) on subscription " + subscription + ", ending " + end);
        return new Setup(tenant, adminKey, ingestKey, start, end);
    }

    /** {@code events} tunnel.bytes events of the demo customer, spread over the last {@link #SPREAD_SECONDS}. */
    private static Events events(int events, Instant start, Random random) {
        Instant now = Instant.now();
        List<ObjectNode> all = new ArrayList<>();
        BigDecimal expectedBytes = BigDecimal.ZERO;
        for (int i = 0; i < events; i++) {
            long bytes = random.nextLong(1_000, 50_000_000);
            ObjectNode e = JSON.createObjectNode();
            e.put("id", "demo-" + i);
            e.put("type", "tunnel.bytes");
            e.put("customer", "acme-tunnels");
            // spread over the last SPREAD_SECONDS, never before the subscription's start
            Instant at = now.minusMillis((events - i) * SPREAD_SECONDS * 1000L / events);
            e.put("timestamp", (at.isBefore(start) ? start : at).toString());
            e.putObject("properties").put("bytes", bytes).put("tunnel", "tn-" + (i % 7));
            all.add(e);
            expectedBytes = expectedBytes.add(BigDecimal.valueOf(bytes));
        }
        return new Events(all, expectedBytes);
    }

    /** Sends the events in batches of 500, one in ten followed by a client retry of an earlier one; returns the accepted count. */
    private int sendEvents(String ingestKey, List<ObjectNode> all, Random random) throws Exception {
        // the catalog reaches ingest asynchronously: retry the first event until it is attributed.
        // Retrying is safe because the event id makes it a duplicate once accepted.
        awaitAccepted(ingestKey, all.get(0));
        int events = all.size();
        int accepted = 1;
        int duplicates = 0;
        int sent = 1;
        int batchSize = 500;
        for (int from = 1; from < events; from += batchSize) {
            ArrayNode batch = JSON.createArrayNode();
            for (int i = from; i < Math.min(events, from + batchSize); i++) {
                batch.add(all.get(i));
                if (i % 10 == 0) {
                    batch.add(all.get(random.nextInt(i))); // a client retry: same id, sent again
                }
            }
            sent += batch.size();
            ObjectNode body = JSON.createObjectNode();
            body.set("events", batch);
            JsonNode r = call("POST", ingest + "/v1/events", ingestKey, JSON.writeValueAsString(body), 200);
            accepted += r.path("accepted").asInt();
            duplicates += r.path("duplicates").asInt();
        }
        System.out.printf("events     sent %d → accepted %d, duplicates %d%n", sent, accepted, duplicates);
        return accepted;
    }

    /** The customer's draft invoice once it counts the accepted events (or the last one read after 90 s). */
    private JsonNode awaitDraft(String adminKey, int accepted) throws Exception {
        JsonNode invoice = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            invoice = call("GET", invoicing + "/v1/customers/acme-tunnels/invoices/draft", adminKey, null, 200);
            if (invoice.path("lines").path(0).path("eventCount").asLong() == accepted) {
                break;
            }
            Thread.sleep(250);
        }
        return invoice;
    }

    /** Once the subscription has ended, closes its period and prints the finalized invoice; exits 1 if its total is not the draft's. */
    private JsonNode closeWhenEnded(String adminKey, Instant end, JsonNode draft, BigDecimal expectedBytes) throws Exception {
        // the period ends with the subscription; then an operator closes it (the watermark would, after the grace period)
        while (Instant.now().isBefore(end.plusSeconds(1))) {
            Thread.sleep(250);
        }
        JsonNode finalized = call("POST", invoicing + "/v1/invoices/close", adminKey, "{\"customer\":\"acme-tunnels\"}", 201);
        System.out.println();
        System.out.println("Finalized  " + finalized.path("number").asText() + " (" + finalized.path("invoiceId").asText() + "), status "
                + finalized.path("status").asText() + ", finalized by " + finalized.path("finalizedBy").asText()
                + "; immutable from now on (GET /v1/invoices/" + finalized.path("invoiceId").asText() + ")");
        print("Invoice " + finalized.path("number").asText(), finalized, expectedBytes);
        if (new BigDecimal(finalized.path("total").asText()).compareTo(new BigDecimal(draft.path("total").asText())) != 0) {
            System.out.println("✘ the finalized total differs from the draft's");
            System.exit(1);
        }
        return finalized;
    }

    /** Why does the bill look like this? Each line's meter, quantity and price steps, and the way to its events. */
    private void explain(String adminKey, String id) throws Exception {
        JsonNode explained = call("GET", invoicing + "/v1/invoices/" + id + "/explain", adminKey, null, 200);
        System.out.println();
        System.out.println("Explained (GET /v1/invoices/" + id + "/explain)");
        for (JsonNode line : explained.path("lines")) {
            JsonNode d = line.path("definition");
            System.out.printf("  %s: %s of '%s' on events of type '%s' = %s (usage version %s)%n", line.path("meter").asText(),
                    d.path("aggregation").asText(), d.path("property").asText(), d.path("eventType").asText(), line.path("quantity").asText(),
                    line.path("usageVersion").asText());
            System.out.printf("      exact %s, rounded %s; per day and sample events: %s %s on %s%n", line.path("exactAmount").asText(),
                    line.path("amount").asText(), line.path("usagePerDay").path("method").asText(), line.path("usagePerDay").path("path").asText(),
                    line.path("usagePerDay").path("service").asText());
        }
        System.out.println("  printable: GET /v1/invoices/" + id + "/document.html and /document.pdf");
    }

    /** An independent recount of the accepted events, which must agree with rating and the invoice; exits 1 on drift. */
    private void reconcile(String adminKey) throws Exception {
        JsonNode rec = call("POST", invoicing + "/v1/reconciliations", adminKey, "{}", 201);
        System.out.printf("%nReconciled %s: %s records replayed, %s keys compared, drift on %s, pending adjustments %s%n",
                rec.path("reconciliationId").asText(), rec.path("recordsRead").asText(), rec.path("keysCompared").asText(),
                rec.path("drifted").asText(), rec.path("pendingAdjustments").asText());
        if (rec.path("drifted").asInt() != 0 || rec.path("pendingAdjustments").asInt() != 0) {
            System.out.println("✘ reconciliation found drift: " + rec.path("drift") + " " + rec.path("pending"));
            System.exit(1);
        }
    }

    /** The console: an operator signs in with an admin user's token and finds all of the above in the browser. */
    private void showConsole(String operator, String tenantId, JsonNode finalized) throws Exception {
        JsonNode user = call("POST", invoicing + "/v1/admin/users", operator, """
                {"email":"demo-operator+%s@tally.example","role":"operator"}""".formatted(Long.toHexString(System.nanoTime())), 201);
        System.out.println();
        System.out.println("Console    " + env("TALLY_CONSOLE_URL", "http://127.0.0.1:8080") + "/t/" + tenantId + "/customers/acme-tunnels");
        System.out.println("           sign in with the demo operator's token (admin user " + user.path("userId").asText() + ", shown once):");
        System.out.println("           " + user.path("token").asText());
        System.out.println("           the customer, its invoice " + finalized.path("number").asText() + " with the explanation of every line,"
                + " and the credit-note approvals are there");
    }

    /** The customer's own portal: the tenant's backend asks for a session and hands its URL to the customer (docs/portal.md). */
    private void showPortal(String adminKey) throws Exception {
        JsonNode session = call("POST", invoicing + "/v1/customers/acme-tunnels/portal-sessions", adminKey, "{\"ttlSeconds\":3600}", 201);
        System.out.println();
        System.out.println("Portal     " + session.path("url").asText());
        System.out.println("           acme-tunnels' own usage, cost so far and invoices, each line in plain words and its events as CSV;");
        System.out.println("           the link works until " + session.path("expiresAt").asText() + " (POST /v1/customers/{id}/portal-sessions)");
    }

    private void print(String title, JsonNode invoice, BigDecimal expectedBytes) {
        System.out.println();
        System.out.println(title + " — " + invoice.path("externalId").asText(invoice.path("customer").asText()) + " ("
                + invoice.path("customerId").asText() + "), "
                + invoice.path("periodStart").asText() + " → " + invoice.path("periodEnd").asText());
        for (JsonNode line : invoice.path("lines")) {
            System.out.printf("  %-28s %s events, quantity %s%n", line.path("description").asText(), line.path("eventCount").asText(),
                    line.path("quantity").asText());
            for (JsonNode step : line.path("explanation")) {
                System.out.println("      " + step.asText());
            }
            System.out.printf("      rounded once (%s): %s %s%n", invoice.path("rounding").asText(), invoice.path("currency").asText(),
                    line.path("amount").asText());
        }
        System.out.printf("  TOTAL %s %s%n", invoice.path("currency").asText(), invoice.path("total").asText());
        BigDecimal invoiced = new BigDecimal(invoice.path("lines").path(0).path("quantity").asText("0"));
        System.out.println();
        System.out.println("check: bytes in the unique events sent = " + expectedBytes.toPlainString() + ", bytes invoiced = "
                + invoiced.toPlainString() + (invoiced.compareTo(expectedBytes) == 0 ? "  ✔ exact" : "  ✘ MISMATCH"));
        if (invoiced.compareTo(expectedBytes) != 0) {
            System.exit(1);
        }
    }

    private void awaitAccepted(String key, ObjectNode event) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("events").add(event);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = send("POST", ingest + "/v1/events", key, JSON.writeValueAsString(body));
            if (r.statusCode() == 200) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ingest did not learn the new tenant in time: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(200);
        }
    }

    /** A request whose answer must have status {@code expected}; its JSON body (shared with {@link Chaos}). */
    static JsonNode call(String method, String url, String bearer, String body, int expected) throws Exception {
        HttpResponse<String> r = send(method, url, bearer, body);
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
