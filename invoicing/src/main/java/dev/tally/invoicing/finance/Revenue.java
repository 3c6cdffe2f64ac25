package dev.tally.invoicing.finance;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Finance's figures (docs/finance.md), read from the billing tables of one tenant — never a projection, never mixed
 * currencies. Every figure belongs to the month its invoice was finalized (the invoice date, UTC): for those invoices,
 * what was invoiced, the tax in it, the prepaid credit that paid part of it, the amount due, what of it is paid, what
 * credit notes gave back, and what is still outstanding. {@code due = paid + outstanding + creditedToDue}: a credit
 * note first reduces what is still due ({@code credit_note.applied_to_due}), the rest is refunded or credited.
 * Amounts are the invoices' own, already rounded once when each was finalized; sums add no rounding.
 */
@ApplicationScoped
public class Revenue {
    @Inject
    DataSource dataSource;

    /** One month, currency (and plan, when grouped by plan): the invoices finalized then and what became of them. */
    public record Row(String month, String currency, String plan, long invoices, BigDecimal invoiced, BigDecimal tax, BigDecimal prepaidCredit,
            BigDecimal due, BigDecimal paid, BigDecimal credited, BigDecimal creditedToDue, BigDecimal outstanding) {
    }

    /** What usage lines (and adjustments of earlier periods) billed per meter, before tax, terms and credit. */
    public record MeterRow(String month, String currency, String meter, BigDecimal quantity, BigDecimal amount, BigDecimal adjustments) {
    }

    /** A meter's usage of one customer in one billing period, as rating reported it last (the current period too). */
    public record UsageRow(String periodStart, String customer, String meter, BigDecimal quantity, long events) {
    }

    private static final String INVOICES = """
            with inv as (
              select i.invoice_id, i.currency, i.status, i.total,
                     to_char(i.finalized_at at time zone 'UTC', 'YYYY-MM') as month,
                     coalesce(d.doc->>'plan', '') as plan,
                     coalesce((d.doc->'tax'->>'tax')::numeric, 0) as tax,
                     coalesce((d.doc->>'creditsApplied')::numeric, 0) as prepaid,
                     coalesce((d.doc->>'amountDue')::numeric, i.total) as due
              from invoice i cross join lateral (select i.document::jsonb as doc) d
              where i.tenant_id = ? and i.status <> 'void' and i.finalized_at >= ? and i.finalized_at < ?),
            notes as (
              select n.invoice_id, sum(n.total) as credited, sum(n.applied_to_due) as to_due
              from credit_note n where n.tenant_id = ? and n.status = 'issued' group by n.invoice_id)
            select month, currency, %s as plan, count(*), sum(total), sum(tax), sum(prepaid), sum(due),
                   sum(case when status = 'paid' then due - coalesce(to_due, 0) else 0 end),
                   sum(coalesce(credited, 0)), sum(coalesce(to_due, 0)),
                   sum(case when status = 'finalized' then due - coalesce(to_due, 0) else 0 end)
            from inv left join notes using (invoice_id)
            group by month, currency%s order by month, currency%s""";

    /** Months {@code from}..{@code to} (inclusive), by month and currency, and by plan when {@code byPlan}. */
    public List<Row> byMonth(String tenantId, YearMonth from, YearMonth to, boolean byPlan) throws SQLException {
        String sql = INVOICES.formatted(byPlan ? "plan" : "null", byPlan ? ", plan" : "", byPlan ? ", plan" : "");
        List<Row> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, start(from));
            ps.setTimestamp(3, start(to.plusMonths(1)));
            ps.setString(4, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int scale = rs.getBigDecimal(5).scale(); // the currency's minor unit, as the invoices carry it
                    out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBigDecimal(5), scaled(rs.getBigDecimal(6),
                            scale), scaled(rs.getBigDecimal(7), scale), scaled(rs.getBigDecimal(8), scale), scaled(rs.getBigDecimal(9), scale),
                            scaled(rs.getBigDecimal(10), scale), scaled(rs.getBigDecimal(11), scale), scaled(rs.getBigDecimal(12), scale)));
                }
            }
        }
        return out;
    }

    /** Months {@code from}..{@code to}: each meter's usage lines and adjustments on the invoices finalized then. */
    public List<MeterRow> byMeter(String tenantId, YearMonth from, YearMonth to) throws SQLException {
        String sql = """
                with inv as (
                  select i.currency, to_char(i.finalized_at at time zone 'UTC', 'YYYY-MM') as month, i.document::jsonb as doc
                  from invoice i where i.tenant_id = ? and i.status <> 'void' and i.finalized_at >= ? and i.finalized_at < ?),
                parts as (
                  select month, currency, l->>'meter' as meter, (l->>'quantity')::numeric as quantity, (l->>'amount')::numeric as amount,
                         0::numeric as adjustment
                  from inv cross join lateral jsonb_array_elements(coalesce(doc->'lines', '[]'::jsonb)) l
                  union all
                  select month, currency, a->>'meter', 0, 0, (a->>'amount')::numeric
                  from inv cross join lateral jsonb_array_elements(coalesce(doc->'adjustments', '[]'::jsonb)) a)
                select month, currency, meter, sum(quantity), sum(amount), sum(adjustment) from parts
                group by month, currency, meter order by month, currency, meter""";
        List<MeterRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, start(from));
            ps.setTimestamp(3, start(to.plusMonths(1)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BigDecimal amount = rs.getBigDecimal(5);
                    out.add(new MeterRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4), amount, scaled(rs.getBigDecimal(6),
                            amount.scale())));
                }
            }
        }
        return out;
    }

    /**
     * Usage per billing period, meter and customer for periods starting in months {@code from}..{@code to}, as rating
     * last reported it to invoicing; {@code meter} and {@code customerId} narrow it (null: all).
     */
    public List<UsageRow> usage(String tenantId, YearMonth from, YearMonth to, String meter, String customerId) throws SQLException {
        String sql = """
                select u.period_start, c.external_id, u.meter_key, u.quantity, u.event_count
                from usage_snapshot u join customer c on c.tenant_id = u.tenant_id and c.customer_id = u.customer_id
                where u.tenant_id = ? and u.period_start >= ? and u.period_start < ?
                  and (?::text is null or u.meter_key = ?) and (?::text is null or u.customer_id = ?)
                order by u.period_start, c.external_id, u.meter_key limit 10001""";
        List<UsageRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenantId);
            ps.setTimestamp(2, start(from));
            ps.setTimestamp(3, start(to.plusMonths(1)));
            ps.setString(4, meter);
            ps.setString(5, meter);
            ps.setString(6, customerId);
            ps.setString(7, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageRow(rs.getTimestamp(1).toInstant().toString(), rs.getString(2), rs.getString(3), rs.getBigDecimal(4),
                            rs.getLong(5)));
                }
            }
        }
        return out;
    }

    /** {@code v} written with at least {@code scale} decimals (a sum of none is 0, shown as 0.00 for USD): never rounds. */
    private static BigDecimal scaled(BigDecimal v, int scale) {
        return v.scale() < scale ? v.setScale(scale) : v;
    }

    private static Timestamp start(YearMonth m) {
        return Timestamp.from(m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** The current month, UTC. */
    public static YearMonth month(Instant now) {
        return YearMonth.from(now.atZone(ZoneOffset.UTC));
    }
}
