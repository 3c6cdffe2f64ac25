package dev.tally.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The events of one {@code send} run, drawn from the seed: per tenant its ingest key and every event sent so far
 * (what later duplicates and retractions pick from), the expected totals bumped as they go, and the requests retried.
 */
final class ChaosTraffic {
    private final String ingest;
    private final List<String> ingestKeys;
    private final ArrayNode tenants;
    private final Random random;
    private final Instant boundary;
    private final List<List<String>> sent = new ArrayList<>();
    private long retries;

    /** How many sends were retried (a dead or restarting service answered nothing). */
    long retries() {
        return retries;
    }

    ChaosTraffic(String ingest, List<String> ingestKeys, ArrayNode tenants, Random random, Instant boundary) {
        this.ingest = ingest;
        this.ingestKeys = ingestKeys;
        this.tenants = tenants;
        this.random = random;
        this.boundary = boundary;
        for (int t = 0; t < Chaos.TENANTS; t++) {
            sent.add(new ArrayList<>());
        }
    }

    record Stream(long duplicates, long late) {
    }

    /** {@code onTime} events (split across the tenants) in the last two days of the previous period. */
    void previousPeriod(int onTime) throws Exception {
        for (int t = 0; t < Chaos.TENANTS; t++) {
            for (int from = 0; from < onTime / Chaos.TENANTS; from += 1000) {
                StringBuilder body = new StringBuilder("{\"events\":[");
                for (int i = from; i < Math.min(onTime / Chaos.TENANTS, from + 1000); i++) {
                    String customer = "c" + random.nextInt(Chaos.CUSTOMERS);
                    long bytes = 1 + random.nextInt(1_000_000);
                    Instant at = boundary.minusMillis(1 + random.nextInt(2 * 86_400_000));
                    String e = Chaos.event("p0-" + t + "-" + i, customer, at, bytes);
                    sent.get(t).add(e);
                    Chaos.bump(tenants.get(t), customer, "p0", bytes, 1);
                    Chaos.bump(tenants.get(t), customer, "p0Invoiced", bytes, 1);
                    body.append(i == from ? "" : ",").append(e);
                }
                retries += Chaos.sendUntilAnswered(ingest + "/v1/events", ingestKeys.get(t), body.append("]}").toString());
            }
        }
    }

    /** The stream of {@code slots} event slots: duplicates, out-of-order times and late events, in batches of 1,000. */
    Stream stream(Instant now, int slots, long pace, Path progress) throws Exception {
        long duplicates = 0;
        long late = 0;
        int batch = 1000;
        for (int from = 0; from < slots; from += batch) {
            int t = (from / batch) % Chaos.TENANTS;
            List<String> mine = sent.get(t);
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = from; i < Math.min(slots, from + batch); i++) {
                String e;
                if (!mine.isEmpty() && random.nextInt(5) == 0) {
                    e = mine.get(random.nextInt(mine.size()));
                    duplicates++;
                } else {
                    String customer = "c" + random.nextInt(Chaos.CUSTOMERS);
                    long bytes = 1 + random.nextInt(1_000_000);
                    boolean isLate = random.nextInt(50) == 0; // for the closed period: late usage, an adjustment at the next close
                    Instant at = isLate ? boundary.minusMillis(1 + random.nextInt(2 * 86_400_000)) : now.minusMillis(1_000 + random.nextInt(600_000));
                    e = Chaos.event("ev-" + i, customer, at, bytes);
                    mine.add(e);
                    Chaos.bump(tenants.get(t), customer, isLate ? "p0" : "p1", bytes, 1);
                    late += isLate ? 1 : 0;
                }
                body.append(i == from ? "" : ",").append(e);
            }
            retries += Chaos.sendUntilAnswered(ingest + "/v1/events", ingestKeys.get(t), body.append("]}").toString());
            Files.writeString(progress, Long.toString(Math.min(slots, from + batch) * 100L / slots)); // percent sent, for the launcher
            if (pace > 0) {
                Thread.sleep(pace);
            }
        }
        return new Stream(duplicates, late);
    }

    /** Retractions: one in a thousand of the events, by the tenant that sent it (in either period); returns how many. */
    long retract() throws Exception {
        long retracted = 0;
        for (int t = 0; t < Chaos.TENANTS; t++) {
            List<String> ids = new ArrayList<>();
            for (int k = 0; k < sent.get(t).size(); k += 1000) {
                JsonNode e = Chaos.JSON.readTree(sent.get(t).get(k));
                ids.add(e.path("id").asText());
                String period = Instant.parse(e.path("timestamp").asText()).isBefore(boundary) ? "p0" : "p1";
                Chaos.bump(tenants.get(t), e.path("customer").asText(), period, -e.path("properties").path("bytes").asLong(), -1);
            }
            if (!ids.isEmpty()) {
                retries += Chaos.sendUntilAnswered(ingest + "/v1/events/retract", ingestKeys.get(t), Chaos.JSON.writeValueAsString(
                        Map.of("ids", ids, "reason", "chaos run: retracted on purpose")));
                retracted += ids.size();
            }
        }
        return retracted;
    }
}
