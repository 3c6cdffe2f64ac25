package dev.tally.rating.store;

import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
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
 * Spend budgets, in the poll's transaction: for every customer with a budget whose usage the poll changed, the
 * period's running amount before and after the poll ({@link Pricing#spend}, on the period's usage as this transaction
 * sees it) and the budget thresholds crossed — each announced once per period by {@link Alerts}, on the pseudo-meter
 * {@value CatalogRecordV1.Limit#SPEND}.
 */
@ApplicationScoped
class Budgets {
    @Inject
    CatalogView catalog;
    @Inject
    Clock clock;
    @Inject
    Pricing pricing;
    @Inject
    Alerts alerts;

    /** Writes the alerts of the budget thresholds the poll crossed. */
    void check(Connection c, Map<AggKey, Delta> deltas) throws Exception {
        Map<MeterPeriod, Map<String, Map<Map<String, String>, BigDecimal>>> touched = new LinkedHashMap<>();
        Map<MeterPeriod, Instant> ends = new HashMap<>();
        for (Map.Entry<AggKey, Delta> e : deltas.entrySet()) {
            AggKey k = e.getKey();
            if (catalog.limit(k.tenantId(), k.customerId(), CatalogRecordV1.Limit.SPEND) != null) {
                MeterPeriod m = new MeterPeriod(k.tenantId(), k.customerId(), CatalogRecordV1.Limit.SPEND, k.periodStart());
                touched.computeIfAbsent(m, x -> new HashMap<>()).computeIfAbsent(k.meterKey(), x -> new HashMap<>())
                        .merge(e.getValue().dimensions, e.getValue().quantity, BigDecimal::add);
                ends.put(m, e.getValue().periodEnd);
            }
        }
        if (touched.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<OutboxRecord> out = new ArrayList<>();
        for (Map.Entry<MeterPeriod, Map<String, Map<Map<String, String>, BigDecimal>>> e : touched.entrySet()) {
            MeterPeriod m = e.getKey();
            BillingPeriod period = new BillingPeriod(m.periodStart(), ends.get(m));
            CatalogRecordV1.Limit budget = catalog.limit(m.tenantId(), m.customerId(), CatalogRecordV1.Limit.SPEND);
            Pricing.PlanInForce plan = budget == null ? null : pricing.planInForce(m.tenantId(), m.customerId(), period);
            if (plan == null) {
                continue; // usage outside a subscription is metered, not priced
            }
            Map<String, PlanCharges.MeterUsage> after = UsageQueries.period(c, m.tenantId(), m.customerId(), m.periodStart());
            Map<String, PlanCharges.MeterUsage> before = new HashMap<>(after);
            e.getValue().forEach((meter, delta) -> before.computeIfPresent(meter, (k, u) -> u.minus(delta)));
            BigDecimal spentAfter = Pricing.spend(plan, period, after);
            BigDecimal spentBefore = Pricing.spend(plan, period, before);
            Entitlement ent = new Entitlement(budget.limit(), false, budget.alertAt());
            for (int percent : ent.crossed(spentBefore, spentAfter)) {
                if (Alerts.markSent(c, m, percent, spentAfter)) {
                    out.add(alerts.alert(m, period.end(), percent, budget.limit(), spentAfter, false, false, now));
                }
            }
        }
        Alerts.append(c, out);
    }
}
