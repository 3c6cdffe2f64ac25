package dev.tally.invoicing.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.catalog.PriceOverrideStore;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.model.invoice.InvoiceDocumentV1.Adjustment;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.terms.PeriodTerms;
import dev.tally.platform.usage.MeterSums;
import dev.tally.platform.usage.StoredDimensions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Late usage and retractions of periods already invoiced, as adjustments for the next invoice (the draft shows the
 * same): each line of an earlier period re-priced with that period's plan version against what {@link BilledUsage}
 * says its invoices bill so far, its terms re-priced on the result, reductions capped by what credit notes already
 * gave back.
 */
@ApplicationScoped
public class LateUsageAdjustments {
    @Inject
    ObjectMapper json;
    @Inject
    PeriodPricing pricing;
    @Inject
    PriceOverrideStore priceOverrides;

    /**
     * For each customer of {@code dues}: its earlier periods (before its oldest due period here) whose stored usage
     * differs from what their live invoices billed so far (or whose billing an undone adjustment left to re-check),
     * each priced with that invoice's plan version — one adjustment per (period, meter): the line now minus the
     * amount billed so far. With {@code lock} (a close) the rows are locked until the caller's transaction ends; a draft
     * reads them without.
     */
    public Map<String, List<Adjustment>> adjustments(Connection c, String tenantId, List<PeriodCloser.Due> dues, boolean lock) throws Exception {
        Map<String, Instant> oldest = new HashMap<>();
        Map<String, Invoices.Customer> customers = new HashMap<>();
        for (PeriodCloser.Due d : dues) {
            oldest.merge(d.customer().customerId(), d.period().start(), (a, b) -> a.isBefore(b) ? a : b);
            customers.put(d.customer().customerId(), d.customer());
        }
        return adjustments(c, tenantId, oldest, customers, lock);
    }

    /**
     * As {@link #adjustments(Connection, String, List, boolean)} for the periods of each customer in {@code customers}
     * that start before {@code oldest}'s instant for it (every period: a stand-alone adjustment invoice).
     */
    public Map<String, List<Adjustment>> adjustments(Connection c, String tenantId, Map<String, Instant> oldest,
            Map<String, Invoices.Customer> customers, boolean lock) throws Exception {
        String[] ids = oldest.keySet().toArray(String[]::new);
        Timestamp[] before = new Timestamp[ids.length];
        for (int i = 0; i < ids.length; i++) {
            before[i] = Timestamp.from(oldest.get(ids[i]));
        }
        Map<String, List<Adjustment>> out = new HashMap<>();
        Map<String, Touched> touched = new LinkedHashMap<>();
        // per customer of k, by the keys' indexes (lateral): a join over the tenant's rows would let the planner hash every
        // billed row of a tenant it has no statistics for yet, once per batch of a close — quadratic over a first close
        try (PreparedStatement ps = c.prepareStatement("""
                with k as (select * from unnest(?::text[], ?::timestamptz[]) as k(customer_id, before))
                select b.customer_id, b.period_start, b.period_end, b.meter_key, b.invoice_id,
                       (select i.number from invoice i where i.tenant_id = b.tenant_id and i.invoice_id = b.invoice_id),
                       b.plan_key, b.plan_version, b.quantity, b.event_count, coalesce(s.quantity, 0), coalesce(s.event_count, 0),
                       b.billed_amount, s.groups, b.subscription_id, s.segments
                from k
                join lateral (select * from billed_usage b where b.tenant_id = ? and b.customer_id = k.customer_id
                              and b.period_start < k.before""" + (lock ? " for update" : "") + """
                             ) b on true
                left join lateral (select sum(u.quantity) as quantity, sum(u.event_count) as event_count,
                                          json_object_agg(u.dimensions, u.quantity::text) filter (where u.dimensions <> '{}') as groups,
                                          json_object_agg(u.dimensions, u.segments) filter (where u.segments is not null) as segments
                                   from usage_snapshot u where u.tenant_id = b.tenant_id and u.customer_id = b.customer_id
                                     and u.period_start = b.period_start and u.meter_key = b.meter_key) s on true
                where coalesce(s.quantity, 0) <> b.quantity or b.recheck
                order by b.customer_id, b.period_start, b.meter_key""")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("timestamptz", before));
            ps.setString(3, tenantId);
            Map<String, List<PriceOverride>> overrides = priceOverrides.ofCustomers(c, tenantId, List.of(ids));
            Map<String, Subscription> subscriptions = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Subscription s = subscriptions.computeIfAbsent(rs.getString(15),
                            id -> SubscriptionService.load(SubscriptionEntity.get(tenantId, id)));
                    usageAdjustment(tenantId, rs, customers.get(rs.getString(1)), s, overrides.getOrDefault(rs.getString(1), List.of()),
                            touched, out);
                }
            }
        }
        termAdjustments(c, tenantId, touched, out);
        capByCreditNotes(c, tenantId, touched.keySet(), out);
        return out;
    }

    /** One row of the late-usage query: the meter's line priced now against what its period's invoices billed so far. */
    private void usageAdjustment(String tenantId, ResultSet rs, Invoices.Customer customer, Subscription subscription,
            List<PriceOverride> overrides, Map<String, Touched> touched, Map<String, List<Adjustment>> out) throws SQLException {
        BillingPeriod p = new BillingPeriod(rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant());
        String meter = rs.getString(4);
        touched.putIfAbsent(rs.getString(5), new Touched(customer, p, rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8)));
        if (BilledUsage.isTerm(meter)) {
            return; // terms are re-priced below, from the period's usage lines as they stand now
        }
        BigDecimal qAfter = rs.getBigDecimal(11);
        PeriodPricing.Charged is = pricing.charge(tenantId, subscription, overrides, customer.currency(), p, meter,
                new PlanCharges.MeterUsage(qAfter, rs.getLong(12), groups(rs.getString(14)), segments(rs.getString(16))));
        if (is == null) {
            return; // the plan version does not charge the meter (cannot happen for rows finalize wrote)
        }
        BigDecimal billed = rs.getBigDecimal(13);
        List<String> why = new ArrayList<>(is.explanation());
        why.add("the line now " + customer.currency() + " " + is.amount().toPlainString() + " for " + Decimals.normalized(qAfter).toPlainString()
                + ", billed so far " + customer.currency() + " " + billed.toPlainString() + " for " + Decimals.normalized(rs.getBigDecimal(9))
                .toPlainString() + " (" + rs.getString(6) + "): adjustment " + customer.currency() + " " + is.amount().subtract(billed).toPlainString());
        out.computeIfAbsent(customer.customerId(), x -> new ArrayList<>()).add(new Adjustment(rs.getString(5), rs.getString(6),
                p.start(), p.end(), meter, is.description(), Decimals.normalized(rs.getBigDecimal(9)), Decimals.normalized(qAfter),
                rs.getLong(10), rs.getLong(12), billed, is.amount(), is.amount().subtract(billed), why));
    }

    /** A grouped meter's quantities by group, as the query aggregates them (group as stored → quantity as text). */
    private Map<Map<String, String>, BigDecimal> groups(String aggregated) throws SQLException {
        Map<Map<String, String>, BigDecimal> out = new HashMap<>();
        if (aggregated == null) {
            return out;
        }
        try {
            json.readTree(aggregated).properties().forEach(e -> StoredDimensions.add(out, e.getKey(), new BigDecimal(e.getValue().asText())));
        } catch (JsonProcessingException e) {
            throw new SQLException("usage groups do not parse: " + aggregated, e);
        }
        return out;
    }

    /** A meter's parts in later plan segments, as the query aggregates them (group as stored → its stored parts). */
    private Map<Instant, PlanCharges.MeterUsage> segments(String aggregated) throws SQLException {
        if (aggregated == null) {
            return Map.of();
        }
        Map<String, String> byGroup = new HashMap<>();
        try {
            json.readTree(aggregated).properties().forEach(e -> byGroup.put(e.getKey(), e.getValue().toString()));
        } catch (JsonProcessingException e) {
            throw new SQLException("usage segments do not parse: " + aggregated, e);
        }
        return MeterSums.segments(byGroup);
    }

    /**
     * A reduction never gives back what credit notes already gave back: a negative adjustment of a period's line is
     * at most what is still charged for it — the amount billed less what credit notes on the period's invoice
     * credit on that line ({@code line:<meter>} or the term's key). Without this, a line refunded in full and then
     * reduced by a retraction would be credited twice.
     */
    private void capByCreditNotes(Connection c, String tenantId, Set<String> invoiceIds, Map<String, List<Adjustment>> out)
            throws Exception {
        if (invoiceIds.isEmpty() || out.isEmpty()) {
            return;
        }
        Map<String, BigDecimal> credited = new HashMap<>(); // invoice id + "|" + line key
        try (PreparedStatement ps = c.prepareStatement(
                "select invoice_id, document from credit_note where tenant_id = ? and invoice_id = any(?) and status <> 'rejected'")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", invoiceIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (JsonNode l : json.readTree(rs.getString(2)).path("lines")) {
                        credited.merge(rs.getString(1) + "|" + l.path("key").asText(), new BigDecimal(l.path("amount").asText()), BigDecimal::add);
                    }
                }
            }
        }
        if (credited.isEmpty()) {
            return;
        }
        for (List<Adjustment> list : out.values()) {
            for (int i = 0; i < list.size(); i++) {
                Adjustment a = list.get(i);
                String key = BilledUsage.isTerm(a.meter()) ? a.meter() : "line:" + a.meter();
                BigDecimal notes = credited.get(a.invoiceId() + "|" + key);
                if (notes == null || a.amount().signum() >= 0) {
                    continue;
                }
                BigDecimal floor = a.amountBefore().subtract(notes).max(BigDecimal.ZERO).negate(); // at most this much back
                if (a.amount().compareTo(floor) < 0) {
                    List<String> why = new ArrayList<>(a.explanation());
                    why.add("reduction capped at " + floor.toPlainString() + ": credit notes on " + a.invoiceNumber() + " already credit "
                            + notes.toPlainString() + " of this line");
                    list.set(i, new Adjustment(a.invoiceId(), a.invoiceNumber(), a.periodStart(), a.periodEnd(), a.meter(), a.description(),
                            a.quantityBefore(), a.quantityAfter(), a.eventCountBefore(), a.eventCountAfter(), a.amountBefore(),
                            a.amountBefore().add(floor), floor, why));
                }
            }
        }
    }

    /** A finalized period that late usage (or an undone adjustment) touches: its terms are priced again. */
    private record Touched(Invoices.Customer customer, BillingPeriod period, String invoiceId, String number, String planKey, int planVersion) {
    }

    /**
     * The discounts and the minimum commitment of each touched period, re-priced on its usage lines as they are now
     * billed (with this close's adjustments) plus its fixed fees: one adjustment per term whose amount changed
     * (a discount that grows, a true-up that shrinks as late usage fills the commitment).
     */
    private void termAdjustments(Connection c, String tenantId, Map<String, Touched> touched, Map<String, List<Adjustment>> out)
            throws SQLException {
        Map<String, Map<String, BigDecimal>> billed = new HashMap<>();
        Map<String, String> subscriptions = new HashMap<>();
        if (touched.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select invoice_id, meter_key, billed_amount, subscription_id from billed_usage where tenant_id = ? and invoice_id = any(?)""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", touched.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    billed.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getBigDecimal(3));
                    subscriptions.put(rs.getString(1), rs.getString(4));
                }
            }
        }
        for (Touched t : touched.values()) {
            termAdjustments(tenantId, t, billed.getOrDefault(t.invoiceId(), Map.of()), subscriptions.get(t.invoiceId()), out);
        }
    }

    /** One touched period's terms re-priced: an adjustment per term whose amount changed. */
    private void termAdjustments(String tenantId, Touched t, Map<String, BigDecimal> rows, String subscriptionId,
            Map<String, List<Adjustment>> out) {
        PlanSpec.TermsSpec terms = pricing.terms(tenantId, t.planKey(), t.planVersion());
        boolean hasTerms = rows.keySet().stream().anyMatch(k -> k.startsWith("discount:") || k.equals(PeriodTerms.MINIMUM));
        if (terms == null || (terms.minimumCommitment() == null && (terms.discounts() == null || terms.discounts().isEmpty())) && !hasTerms) {
            return;
        }
        Map<String, BigDecimal> now = new HashMap<>();
        for (Adjustment a : out.getOrDefault(t.customer().customerId(), List.of())) {
            if (a.invoiceId().equals(t.invoiceId())) {
                now.put(a.meter(), a.amountAfter());
            }
        }
        BigDecimal running = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> r : rows.entrySet()) {
            if (!BilledUsage.isTerm(r.getKey()) || r.getKey().startsWith("fixed:")) {
                running = running.add(now.getOrDefault(r.getKey(), r.getValue()));
            }
        }
        Subscription s = SubscriptionService.load(SubscriptionEntity.get(tenantId, subscriptionId));
        Map<String, PeriodTerms.Line> repriced = new LinkedHashMap<>();
        for (PeriodTerms.Line l : PeriodTerms.discountsAndMinimum(running, t.customer().currency(), terms, PeriodTerms.periodIndex(s, t.period()),
                RoundingPolicy.DEFAULT)) {
            repriced.put(l.key(), l);
        }
        Set<String> keys = new LinkedHashSet<>(repriced.keySet());
        rows.keySet().stream().filter(k -> k.startsWith("discount:") || k.equals(PeriodTerms.MINIMUM)).forEach(keys::add);
        for (String key : keys) {
            BigDecimal before = rows.getOrDefault(key, BigDecimal.ZERO);
            PeriodTerms.Line l = repriced.get(key);
            BigDecimal after = l == null ? BigDecimal.ZERO.setScale(before.scale()) : l.amount();
            if (after.compareTo(before) == 0) {
                continue;
            }
            String text = l == null ? key + " no longer applies (the period's usage changed)" : l.description();
            out.computeIfAbsent(t.customer().customerId(), x -> new ArrayList<>()).add(new Adjustment(t.invoiceId(), t.number(),
                    t.period().start(), t.period().end(), key, text, BigDecimal.ZERO, BigDecimal.ZERO, 0, 0, before, after,
                    after.subtract(before), List.of(text)));
        }
    }
}
