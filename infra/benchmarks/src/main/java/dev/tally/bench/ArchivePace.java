package dev.tally.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How fast invoicing's event archive keeps up with a load (issue 24): the records it holds ({@code GET /v1/admin/archive},
 * with the operator token of {@code $TALLY_HOME/admin-token}) before and after the measured phase, and how long after the
 * load it takes to hold every accepted event. Printed beside the accepted events/s of the same run.
 */
final class ArchivePace {
    private final IngestLoad http;
    private final String operator;

    private ArchivePace(IngestLoad http, String operator) {
        this.http = http;
        this.operator = operator;
    }

    /** Null when there is no operator token here or the archive is off (the figures are then left out). */
    static ArchivePace of(IngestLoad http) {
        try {
            ArchivePace p = new ArchivePace(http, Files.readString(Path.of(System.getenv().getOrDefault("TALLY_HOME", ".tally"), "admin-token")).trim());
            p.archived();
            return p;
        } catch (Exception e) {
            return null;
        }
    }

    long archived() throws Exception {
        JsonNode totals = http.call("GET", http.invoicing + "/v1/admin/archive", operator, "application/json", "");
        return totals.path("records").asLong();
    }

    /**
     * Right after the load: waits (at most 5 minutes) until the archive holds every accepted event, and returns the lines
     * to print — the archived events/s during the load, the lag at its end, how long it took to catch up.
     */
    String measure(long before, long atEnd, long accepted, double seconds) throws Exception {
        long t0 = System.nanoTime();
        long now = atEnd;
        while (now - before < accepted && System.nanoTime() - t0 < Duration.ofMinutes(5).toNanos()) {
            Thread.sleep(250);
            now = archived();
        }
        double drain = (System.nanoTime() - t0) / 1e9;
        return String.format("%-44s %,14.0f%n", "archived events/s during the load", (atEnd - before) / seconds)
                + String.format("%-44s %,14d%n", "archive lag when the load stopped (events)", Math.max(0, before + accepted - atEnd))
                + String.format("%-44s %14.1f%n", "archive caught up after the load (s)", drain)
                + String.format("%-44s %14s%n", "archive holds every accepted event", now - before >= accepted ? "yes" : "NO (after 5 min)")
                + String.format("%-44s %14.2f%n", "archived ÷ accepted events/s (load + catch-up)", (now - before) / (seconds + drain) / (accepted / seconds));
    }
}
