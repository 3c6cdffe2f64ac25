package dev.tally.rating.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.platform.outbox.OutboxRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cumulative, versioned snapshots a poll hands on ({@code tally.usage.rated}): one per aggregate it moved, keyed by
 * customer, with the trace of the last record that moved it. Quantities only: invoicing's InvoiceGenerator is the one
 * owner of pricing a period (rating prices only what it needs itself: spend for budgets and the spend API), so the
 * snapshot's {@code charge} stays absent.
 */
@ApplicationScoped
class Snapshots {
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /** The outbox records of the aggregates as stored after the poll (in this transaction). */
    List<OutboxRecord> of(Connection c, List<Aggregates.Stored> stored) throws Exception {
        Instant now = clock.instant();
        List<OutboxRecord> out = new ArrayList<>(stored.size());
        for (Aggregates.Stored s : stored) {
            RatedUsageV1 snapshot = new RatedUsageV1(s.tenantId(), s.customerId(), s.meterKey(), s.periodStart(), s.periodEnd(),
                    s.quantity(), s.eventCount(), s.version(), now, s.dimensions(), null, s.segments());
            out.add(new OutboxRecord(s.tenantId() + "/" + s.customerId(), json.writeValueAsString(snapshot), s.traceparent()));
        }
        return out;
    }
}
