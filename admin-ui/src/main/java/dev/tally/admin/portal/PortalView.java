package dev.tally.admin.portal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services' answers as the portal shows them: only the fields a customer should see (no internal ids, no who-did-it,
 * no notes), every amount and quantity written in the customer's locale from the exact figure the service answered.
 */
final class PortalView {
    private PortalView() {
    }

    static Map<String, Object> draft(JsonNode d, PortalFormat fmt) {
        String cur = d.path("currency").asText();
        Map<String, Object> m = document(d, "explanation", fmt);
        m.put("exactTotal", d.path("total").asText());
        m.put("credited", !d.path("amountDue").asText().equals(d.path("total").asText()));
        m.put("creditsApplied", fmt.money(d.path("creditsApplied").asText(null), cur));
        m.put("amountDue", fmt.money(d.path("amountDue").asText(null), cur));
        return m;
    }

    /**
     * The period's projected total (invoicing's projection: the usage so far carried on to the period's end, priced like
     * the invoice), or null in the period's first day; {@code above} when it would pass the budget.
     */
    static Map<String, Object> projection(JsonNode p, PortalFormat fmt) {
        JsonNode d = p.path("projected");
        if (!d.isObject()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", fmt.money(d.path("total").asText(null), d.path("currency").asText()));
        m.put("exactTotal", d.path("total").asText());
        long days = p.path("elapsedSeconds").asLong() / 86_400;
        m.put("basis", "if usage goes on as in the period's first " + days + (days == 1 ? " day" : " days"));
        return m;
    }

    /** What is still due on an invoice after prepaid credit and credit notes, and what took it there. */
    static Map<String, Object> balance(JsonNode i, PortalFormat fmt) {
        String cur = i.path("currency").asText();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("creditsApplied", nonZero(i.path("creditsApplied")) ? fmt.money(i.path("creditsApplied").asText(), cur) : null);
        m.put("balanceDue", fmt.money(i.path("balanceDue").asText(i.path("total").asText(null)), cur));
        m.put("status", i.path("status").asText());
        return m;
    }

    private static boolean nonZero(JsonNode n) {
        return n.isTextual() && new BigDecimal(n.asText()).signum() != 0;
    }

    /** What a draft and an invoice's explanation share: the period, the lines (steps from {@code stepsField}), terms, adjustments, totals. */
    private static Map<String, Object> document(JsonNode d, String stepsField, PortalFormat fmt) {
        String cur = d.path("currency").asText();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("period", fmt.date(d.path("periodStart").asText(null)) + " – " + fmt.lastDay(d.path("periodEnd").asText(null)));
        m.put("lines", lines(d.path("lines"), stepsField, cur, fmt));
        m.put("terms", terms(d.path("terms"), cur, fmt));
        m.put("adjustments", adjustments(d.path("adjustments"), cur, fmt));
        m.put("subtotal", fmt.money(d.path("subtotal").asText(null), cur));
        m.put("tax", d.path("tax").isObject() ? Map.of("name", d.path("tax").path("explanation").asText("Tax"), "amount",
                fmt.money(d.path("tax").path("tax").asText(null), cur)) : null);
        m.put("total", fmt.money(d.path("total").asText(null), cur));
        return m;
    }

    static List<Map<String, Object>> invoices(JsonNode list, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode i : list.path("invoices")) {
            String cur = i.path("currency").asText();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.path("invoiceId").asText());
            m.put("number", i.path("number").asText());
            m.put("status", i.path("status").asText());
            m.put("period", fmt.date(i.path("periodStart").asText(null)) + " – " + fmt.lastDay(i.path("periodEnd").asText(null)));
            m.put("total", fmt.money(i.path("total").asText(null), cur));
            m.put("balanceDue", fmt.money(i.path("balanceDue").asText(i.path("total").asText(null)), cur));
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> explanation(JsonNode e, PortalFormat fmt) {
        Map<String, Object> m = document(e, "priceSteps", fmt);
        m.put("id", e.path("invoiceId").asText());
        m.put("number", e.path("number").asText());
        m.put("status", e.path("status").asText());
        m.put("rounding", e.path("rounding").asText(""));
        return m;
    }

    /**
     * The invoice's issued credit notes; {@code refunds} (invoicing's refunds of the invoice, or null) say whether each
     * note's refund has gone through.
     */
    static List<Map<String, Object>> creditNotes(JsonNode list, JsonNode refunds, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode n : list.path("creditNotes")) {
            if (!"issued".equals(n.path("status").asText())) {
                continue; // proposals waiting for the tenant's finance team are not the customer's yet
            }
            String cur = n.path("currency").asText();
            out.add(Map.of("number", n.path("number").asText(""), "total", fmt.money(n.path("total").asText(null), cur), "reason",
                    n.path("reason").asText(""), "issued", fmt.date(n.path("issuedAt").asText(null)), "settled", settled(n, refunds, cur, fmt)));
        }
        return out;
    }

    /** Where a credit note's amount went, in the customer's words: off what was due, back to them, or to their balance. */
    private static String settled(JsonNode n, JsonNode refunds, String cur, PortalFormat fmt) {
        List<String> parts = new ArrayList<>();
        if (n.path("appliedToDue").isTextual() && new BigDecimal(n.path("appliedToDue").asText()).signum() != 0) {
            parts.add(fmt.money(n.path("appliedToDue").asText(), cur) + " off what was due");
        }
        if (n.path("refunded").isTextual() && new BigDecimal(n.path("refunded").asText()).signum() != 0) {
            parts.add(fmt.money(n.path("refunded").asText(), cur) + " refunded" + refundState(n.path("creditNoteId").asText(), refunds));
        }
        if (n.path("credited").isTextual() && new BigDecimal(n.path("credited").asText()).signum() != 0) {
            parts.add(fmt.money(n.path("credited").asText(), cur) + " to your prepaid balance");
        }
        return String.join(", ", parts);
    }

    /** Where a credit note's refund stands: sent back (succeeded), on its way (pending), or failed and turned into credit. */
    private static String refundState(String creditNoteId, JsonNode refunds) {
        if (refunds == null) {
            return "";
        }
        for (JsonNode r : refunds.path("refunds")) {
            if (creditNoteId.equals(r.path("creditNoteId").asText())) {
                return switch (r.path("status").asText()) {
                    case "succeeded" -> " (sent back)";
                    case "pending" -> " (on its way)";
                    case "failed" -> " (the refund failed; the amount went to your prepaid balance)";
                    default -> "";
                };
            }
        }
        return "";
    }

    private static List<Map<String, Object>> lines(JsonNode lines, String stepsField, String cur, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode l : lines) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("meter", l.path("meter").asText());
            m.put("name", l.path("description").asText(l.path("meter").asText()));
            m.put("quantity", fmt.number(l.path("quantity").asText(null)));
            m.put("exactQuantity", l.path("quantity").asText());
            m.put("events", fmt.number(l.path("eventCount").asText("0")));
            List<String> steps = new ArrayList<>();
            l.path(stepsField).forEach(s -> steps.add(PlainSteps.plain(s.asText(), fmt)));
            m.put("steps", steps);
            m.put("amount", fmt.money(l.path("amount").asText(null), cur));
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> terms(JsonNode terms, String cur, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode t : terms) {
            out.add(Map.of("description", t.path("description").asText(""), "amount", fmt.money(t.path("amount").asText(null), cur)));
        }
        return out;
    }

    private static List<Map<String, Object>> adjustments(JsonNode adjustments, String cur, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode a : adjustments) {
            List<String> steps = new ArrayList<>();
            a.path("explanation").forEach(s -> steps.add(PlainSteps.plain(s.asText(), fmt)));
            out.add(Map.of("description", a.path("description").asText(a.path("meter").asText()), "period", "usage of "
                    + fmt.date(a.path("periodStart").asText(null)) + " – " + fmt.lastDay(a.path("periodEnd").asText(null))
                    + " that arrived after invoice " + a.path("invoiceNumber").asText(), "steps", steps, "amount",
                    fmt.money(a.path("amount").asText(null), cur)));
        }
        return out;
    }
}
