package dev.tally.invoicing.catalog.api;

import dev.tally.model.metering.FilterSpec;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request bodies of the catalog API. */
public final class Requests {
    private Requests() {
    }

    @Schema(example = "{\"name\":\"Gateway Inc\"}")
    public record NewTenant(String name) {
    }

    public record NewApiKey(String scope) {
    }

    /**
     * {@code filters}: AND of conditions; {@code groupBy}: dimensions (property names); {@code percentile}: p in (0, 100],
     * for (and only for) a PERCENTILE meter.
     */
    @Schema(example = "{\"key\":\"bandwidth\",\"eventType\":\"tunnel.bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}")
    public record NewMeter(String key, String eventType, String aggregation, String property, String description, List<FilterSpec> filters,
            List<String> groupBy, BigDecimal percentile) {
    }

    /** A meter's changeable fields; absent fields stay. */
    public record MeterPatch(String description, List<FilterSpec> filters, List<String> groupBy, String eventType, String aggregation,
            String property, BigDecimal percentile) {
    }

    /** {@code billingCycle} absent: calendar months. */
    public record NewSubscription(String customer, String plan, Integer version, Instant start, Instant end, Cycle billingCycle,
            Instant trialEnd) {
    }

    /** {@code interval} MONTHLY or ANNUAL; {@code anchorDay} 1–31 (default 1, or the start's day for ANNUAL); {@code anchorMonth} for ANNUAL. */
    public record Cycle(String interval, Integer anchorDay, Integer anchorMonth) {
    }

    /** {@code plan} absent: the subscription's current plan; {@code version} absent: its latest published version. */
    public record PlanChange(String plan, Integer version, Instant effectiveAt) {
    }

    public record Cancel(Instant at) {
    }

    /** {@code fromVersions} absent: every older version. */
    public record Migration(Instant effectiveAt, List<Integer> fromVersions) {
    }

    public record NewAdminUser(String email, String role) {
    }

    /** Postgres keeps microseconds; instants are cut to that before use so stored and published values agree. */
    static Instant micros(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
    }
}
