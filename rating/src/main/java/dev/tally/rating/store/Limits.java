package dev.tally.rating.store;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.Entitlement;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.outbox.OutboxRecord;
import dev.tally.rating.store.PollDeltas.Delta;
import dev.tally.rating.store.RatingStore.MeterPeriod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage limits, in the poll's transaction: for every limited meter the poll changed, its period total after the poll
 * (over all groups, for the entitlement cache once committed) and the alert thresholds crossed on the way from before
 * (total − the poll's delta), each announced once per period by {@link Alerts}.
 */
@ApplicationScoped
class Limits {
    @Inject
    CatalogView catalog;
    @Inject
    Clock clock;
    @Inject
    Alerts alerts;

    /** The period totals of the limited meters the poll changed; writes the alerts they crossed. */
    Map<MeterPeriod, BigDecimal> check(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        Map<MeterPeriod, BigDecimal> changed = new LinkedHashMap<>();
        Map<MeterPeriod, Instant> ends = new HashMap<>();
        Map<MeterPeriod, CatalogRecordV1.Limit> limits = new HashMap<>();
        for (Map.Entry<AggKey, Delta> e : deltas.entrySet()) {
            AggKey k = e.getKey();
            CatalogRecordV1.Limit limit = catalog.limit(k.tenantId(), k.customerId(), k.meterKey()); // read once per poll and meter
            if (limit != null) {
                MeterPeriod m = new MeterPeriod(k.tenantId(), k.customerId(), k.meterKey(), k.periodStart());
                changed.merge(m, e.getValue().quantity, BigDecimal::add);
                ends.put(m, e.getValue().periodEnd);
                limits.putIfAbsent(m, limit);
            }
        }
        if (changed.isEmpty()) {
            return Map.of();
        }
        Map<MeterPeriod, BigDecimal> totals = new HashMap<>();
        List<OutboxRecord> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Map.Entry<MeterPeriod, BigDecimal> e : changed.entrySet()) {
            MeterPeriod m = e.getKey();
            BigDecimal after = UsageQueries.periodTotal(c, m);
            totals.put(m, after);
            CatalogRecordV1.Limit l = limits.get(m);
            Entitlement ent = new Entitlement(l.limit(), l.hard(), l.alertAt());
            for (int percent : ent.crossed(after.subtract(e.getValue()), after)) {
                if (Alerts.markSent(c, m, percent, after)) {
                    out.add(alerts.alert(m, ends.get(m), percent, l.limit(), after, l.hard(), ent.blocked(after), now));
                }
            }
        }
        Alerts.append(c, out);
        return totals;
    }
}
