package dev.tally.invoicing.billing;

import dev.tally.platform.problem.ProblemException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which invoices a list shows: {@code customerId}, {@code status} and {@code numberPrefix} (case-insensitive) when set,
 * periods starting in {@code [periodFrom, periodTo)} when set, in the order {@code sort} names.
 */
public record InvoiceFilter(String customerId, String status, String numberPrefix, Instant[] period, String sort) {
    static final Map<String, String> ORDERS = Map.of(
            "-periodStart", "period_start desc, finalized_at desc, invoice_id", "periodStart", "period_start, finalized_at, invoice_id",
            "number", "number, invoice_id", "-number", "number desc, invoice_id",
            "total", "total, invoice_id", "-total", "total desc, invoice_id");

    public InvoiceFilter {
        if (!ORDERS.containsKey(sort)) {
            throw ProblemException.badRequest("invalid-field", "sort must be one of " + ORDERS.keySet().stream().sorted().toList(), "sort");
        }
    }

    /** {@code yyyy-mm-dd} (that UTC day) or {@code yyyy-mm} (that UTC month) as [from, to); null for null. */
    public static Instant[] periodRange(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            if (text.length() == 7) {
                YearMonth m = YearMonth.parse(text);
                return new Instant[] {m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(), m.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
            }
            LocalDate d = LocalDate.parse(text);
            return new Instant[] {d.atStartOfDay(ZoneOffset.UTC).toInstant(), d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "periodStart must be a day (2026-11-01) or a month (2026-11)", "periodStart");
        }
    }

    /** Only the conditions this filter sets, so each can use its index (an "or ? is null" would not). */
    String where() {
        StringBuilder w = new StringBuilder("where tenant_id = ?");
        if (customerId != null) {
            w.append(" and customer_id = ?");
        }
        if (status != null) {
            w.append(" and status = ?");
        }
        if (numberPrefix != null) {
            w.append(" and lower(number) like ? || '%' escape '\\'");
        }
        if (period != null) {
            w.append(" and period_start >= ? and period_start < ?");
        }
        return w.toString();
    }

    Object[] args(String tenantId) {
        List<Object> a = new ArrayList<>();
        a.add(tenantId);
        if (customerId != null) {
            a.add(customerId);
        }
        if (status != null) {
            a.add(status);
        }
        if (numberPrefix != null) {
            a.add(numberPrefix.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
        }
        if (period != null) {
            a.add(Timestamp.from(period[0]));
            a.add(Timestamp.from(period[1]));
        }
        return a.toArray();
    }
}
