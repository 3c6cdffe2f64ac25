package dev.tally.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * The demo's second customer: a negotiated contract next to the self-serve one. Same plan, but a price override
 * (bandwidth at USD 0.06 per GB instead of the list 0.09) and a prepaid commitment (USD 100 of purchased credit,
 * invoiced up front) that its usage draws down; its invoice names the override behind the line and shows the drawdown
 * apart from what is due.
 */
final class ContractDemo {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CUSTOMER = "globex-networks";
    private static final BigDecimal NEGOTIATED_PER_BYTE = new BigDecimal("0.00000000006"); // $0.06 per GB

    private final String ingest;
    private final String invoicing;
    private final String adminKey;
    private BigDecimal bytes = BigDecimal.ZERO;
    private int events;

    ContractDemo(String ingest, String invoicing, String adminKey) {
        this.ingest = ingest;
        this.invoicing = invoicing;
        this.adminKey = adminKey;
    }

    /** The contract customer on the same plan and subscription term, its override and its commitment (with the purchase invoice). */
    void setUp(Instant start, Instant end) throws Exception {
        Demo.call("POST", invoicing + "/v1/customers", adminKey, """
                {"externalId":"%s","name":"Globex Networks","currency":"USD"}""".formatted(CUSTOMER), 201);
        Demo.call("POST", invoicing + "/v1/subscriptions", adminKey, """
                {"customer":"%s","plan":"gateway","start":"%s","end":"%s"}""".formatted(CUSTOMER, start, end), 201);
        JsonNode override = Demo.call("POST", invoicing + "/v1/customers/" + CUSTOMER + "/price-overrides", adminKey, """
                {"meter":"bandwidth","price":{"model":"per_unit","unitPrice":"%s"},"effectiveFrom":"%s",
                 "reason":"MSA-2026-114: bandwidth at USD 0.06/GB"}""".formatted(NEGOTIATED_PER_BYTE.toPlainString(), start), 201);
        Demo.call("POST", invoicing + "/v1/customers/" + CUSTOMER + "/credits", adminKey, """
                {"amount":"100","funding":"purchased","price":"100","effectiveAt":"%s","expiresAt":"%s",
                 "reason":"MSA-2026-114 prepaid commitment"}""".formatted(start, start.plus(Duration.ofDays(365))), 201);
        JsonNode purchase = Demo.call("GET", invoicing + "/v1/invoices?customer=" + CUSTOMER, adminKey, null, 200).path("invoices").path(0);
        System.out.println("contract   customer '" + CUSTOMER + "' on the same plan with price override " + override.path("overrideId").asText()
                + " (bandwidth USD " + NEGOTIATED_PER_BYTE.toPlainString() + "/byte) and a USD 100 prepaid commitment, invoiced up front: "
                + purchase.path("number").asText() + " " + purchase.path("currency").asText() + " " + purchase.path("total").asText());
    }

    /** {@code n} events of the contract customer in batches, each once (the first alone, until ingest's catalog knows the customer). */
    void send(String ingestKey, int n, Random random) throws Exception {
        Instant now = Instant.now();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (events == 0) {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("events").add(event(0, n, now, 1_000_000));
            var r = Demo.send("POST", ingest + "/v1/events", ingestKey, JSON.writeValueAsString(body));
            JsonNode answer = r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
            if (answer.path("accepted").asInt() + answer.path("duplicates").asInt() == 1) {
                events = 1;
                bytes = BigDecimal.valueOf(1_000_000);
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ingest did not learn customer " + CUSTOMER + " in time");
            } else {
                Thread.sleep(200);
            }
        }
        for (int from = 1; from < n; from += 500) {
            ArrayNode batch = JSON.createArrayNode();
            for (int i = from; i < Math.min(n, from + 500); i++) {
                long b = random.nextLong(1_000, 50_000_000);
                batch.add(event(i, n, now, b));
                bytes = bytes.add(BigDecimal.valueOf(b));
            }
            ObjectNode body = JSON.createObjectNode();
            body.set("events", batch);
            events += Demo.call("POST", ingest + "/v1/events", ingestKey, JSON.writeValueAsString(body), 200).path("accepted").asInt();
        }
    }

    private static ObjectNode event(int i, int n, Instant now, long bytes) {
        ObjectNode e = JSON.createObjectNode();
        e.put("id", "contract-" + i);
        e.put("type", "tunnel.bytes");
        e.put("customer", CUSTOMER);
        e.put("timestamp", now.minusMillis((n - i) * 100L).toString());
        e.putObject("properties").put("bytes", bytes).put("tunnel", "gx-" + (i % 3));
        return e;
    }

    /** The contract customer's draft once it counts every event; exits 1 unless its line is the negotiated price on the exact bytes. */
    JsonNode draft() throws Exception {
        JsonNode draft = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            draft = Demo.call("GET", invoicing + "/v1/customers/" + CUSTOMER + "/invoices/draft", adminKey, null, 200);
            if (draft.path("lines").path(0).path("eventCount").asLong() == events) {
                break;
            }
            Thread.sleep(250);
        }
        print("Contract draft", draft);
        return draft;
    }

    /** Closes the contract customer's ended period; exits 1 unless the invoice is its draft. */
    void close(JsonNode draft) throws Exception {
        JsonNode finalized = Demo.call("POST", invoicing + "/v1/invoices/close", adminKey, "{\"customer\":\"" + CUSTOMER + "\"}", 201);
        print("Contract invoice " + finalized.path("number").asText(), finalized);
        if (new BigDecimal(finalized.path("total").asText()).compareTo(new BigDecimal(draft.path("total").asText())) != 0) {
            System.out.println("✘ the contract customer's finalized total differs from its draft's");
            System.exit(1);
        }
    }

    private void print(String title, JsonNode invoice) {
        System.out.println();
        System.out.println(title + " — " + CUSTOMER + ", " + invoice.path("periodStart").asText() + " → " + invoice.path("periodEnd").asText());
        JsonNode line = invoice.path("lines").path(0);
        System.out.printf("  %-28s %s events, quantity %s (override %s)%n", line.path("description").asText(), line.path("eventCount").asText(),
                line.path("quantity").asText(), line.path("priceOverride").asText());
        for (JsonNode step : line.path("explanation")) {
            System.out.println("      " + step.asText());
        }
        System.out.printf("  TOTAL %s %s%n", invoice.path("currency").asText(), invoice.path("total").asText());
        for (JsonNode c : invoice.path("credits")) {
            System.out.printf("  %s credit %s drawn down: −%s%n", c.path("funding").asText(), c.path("grantId").asText(), c.path("amount").asText());
        }
        System.out.printf("  AMOUNT DUE %s %s%n", invoice.path("currency").asText(), invoice.path("amountDue").asText());
        BigDecimal expected = bytes.multiply(NEGOTIATED_PER_BYTE).setScale(2, RoundingMode.HALF_EVEN);
        BigDecimal billed = new BigDecimal(line.path("amount").asText("0"));
        System.out.println("check: " + bytes.toPlainString() + " bytes × the negotiated USD " + NEGOTIATED_PER_BYTE.toPlainString() + " = "
                + expected.toPlainString() + ", billed " + billed.toPlainString() + (billed.compareTo(expected) == 0 ? "  ✔ exact" : "  ✘ MISMATCH"));
        if (billed.compareTo(expected) != 0 || !line.path("quantity").asText().equals(bytes.toPlainString())) {
            System.exit(1);
        }
    }
}
