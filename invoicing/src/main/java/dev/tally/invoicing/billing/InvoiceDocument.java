package dev.tally.invoicing.billing;

import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceKind;
import dev.tally.model.invoice.InvoiceStatus;
import dev.tally.model.terms.Funding;
import dev.tally.model.terms.PeriodTerms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A finalized invoice as people read it: the same rows, in the same order, as printable HTML and as PDF. Both
 * are rendered from the stored document (never recomputed), so they always say what the JSON says. Every text
 * that comes from a tenant (descriptions, names) is escaped in HTML; the PDF uses the standard Helvetica font,
 * so characters outside WinAnsi are replaced by '?'.
 */
public final class InvoiceDocument {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private InvoiceDocument() {
    }

    /** One printed row: a section's line with its quantity (may be empty) and amount; {@code strong} for totals. */
    record Row(String section, String text, String quantity, String amount, boolean strong) {
    }

    static List<Row> rows(InvoiceView v) {
        List<Row> rows = new ArrayList<>();
        for (InvoiceDocumentV1.Line l : v.lines()) {
            rows.add(new Row("Usage", l.description() == null ? l.meter() : l.description() + " (" + l.meter() + ")",
                    l.quantity().toPlainString(), l.amount().toPlainString(), false));
        }
        for (PeriodTerms.Line t : v.terms()) {
            rows.add(new Row(switch (t.kind()) {
                case "fixed" -> "Fixed fees";
                case "discount" -> "Discounts";
                case "coupon" -> "Coupons and discounts";
                case "purchase" -> "Purchased credit";
                default -> "Minimum commitment";
            }, t.description(), "", t.amount().toPlainString(), false));
        }
        for (InvoiceDocumentV1.Adjustment a : v.adjustments()) {
            rows.add(new Row("Adjustments of earlier periods", a.description() + " — " + a.invoiceNumber() + " (" + DAY.format(a.periodStart())
                    + " to " + DAY.format(a.periodEnd()) + ")", a.meter().contains(":") ? ""
                    : a.quantityBefore().toPlainString() + " → " + a.quantityAfter().toPlainString(), a.amount().toPlainString(), false));
        }
        rows.add(new Row("", "Subtotal", "", v.subtotal().toPlainString(), true));
        if (v.tax() != null) {
            rows.add(new Row("", v.tax().explanation(), "", v.tax().tax().toPlainString() + (v.tax().inclusive() ? " (included)" : ""), false));
        }
        rows.add(new Row("", "Total " + v.currency(), "", v.total().toPlainString(), true));
        if (v.creditsApplied() != null && v.creditsApplied().signum() != 0) {
            if (v.credits().isEmpty()) {
                rows.add(new Row("", "Prepaid credit applied", "", v.creditsApplied().negate().toPlainString(), false));
            }
            for (String funding : List.of(Funding.PURCHASED.wire(), Funding.PROMOTIONAL.wire())) {
                BigDecimal used = v.credits().stream().filter(u -> funding.equals(u.funding())).map(InvoiceDocumentV1.CreditUse::amount)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                if (used.signum() != 0) {
                    rows.add(new Row("", Funding.PURCHASED.is(funding) ? "Purchased credit drawn down (prepaid commitment)" : "Promotional credit",
                            "", used.negate().toPlainString(), false));
                }
            }
        }
        if (v.creditNotesTotal() != null && v.creditNotesTotal().signum() != 0) {
            rows.add(new Row("", "Credit notes", "", v.creditNotesTotal().negate().toPlainString(), false));
        }
        if (InvoiceStatus.FINALIZED.is(v.status())) {
            rows.add(new Row("", "Balance due " + v.currency(), "", v.balanceDue().toPlainString(), true));
        } else if (InvoiceStatus.PAID.is(v.status())) {
            // refunds of credit notes issued after the payment come back separately: no balance arithmetic is implied here
            rows.add(new Row("", "Paid " + DAY.format(v.paidAt()) + " (" + v.paymentReference() + ")", "", "", true));
        } else {
            rows.add(new Row("", "Void: " + v.voidReason(), "", "", true));
        }
        return rows;
    }

    private static List<String> header(InvoiceView v) {
        List<String> h = new ArrayList<>();
        h.add("Invoice " + v.number() + " — " + v.status());
        h.add("Customer " + v.externalId() + " · " + (v.plan() != null ? "plan " + v.plan() + " v" + v.planVersion()
                : InvoiceKind.ADJUSTMENT.is(v.kind()) ? "adjustments of earlier periods (late usage, retractions)" : "purchase of prepaid credit"));
        h.add("Period " + DAY.format(v.periodStart()) + " to " + DAY.format(v.periodEnd()));
        h.add("Finalized " + DAY.format(v.finalizedAt()) + (v.reissueOf() != null ? " · reissue of " + v.reissueOf() : ""));
        if (v.paidAt() != null) {
            h.add("Paid " + DAY.format(v.paidAt()) + " · reference " + v.paymentReference());
        }
        if (v.voidedAt() != null) {
            h.add("Void " + DAY.format(v.voidedAt()) + ": " + v.voidReason());
        }
        return h;
    }

    /** A self-contained, printable HTML page (no scripts, no external resources). */
    public static String html(InvoiceView v) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc("Invoice " + v.number()))
                .append("</title><style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%}"
                        + "td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}td.n{text-align:right;"
                        + "font-variant-numeric:tabular-nums;white-space:nowrap}tr.s td{font-weight:600}h1{font-size:1.4em}"
                        + "p.m{margin:.1em 0;color:#444}p.r{margin-top:2em;color:#666;font-size:12px}</style></head><body>");
        List<String> h = header(v);
        b.append("<h1>").append(esc(h.get(0))).append("</h1>");
        for (String line : h.subList(1, h.size())) {
            b.append("<p class=\"m\">").append(esc(line)).append("</p>");
        }
        b.append("<table><thead><tr><th>Section</th><th>Item</th><th>Quantity</th><th>Amount (").append(esc(v.currency()))
                .append(")</th></tr></thead><tbody>");
        for (Row r : rows(v)) {
            b.append(r.strong() ? "<tr class=\"s\">" : "<tr>").append("<td>").append(esc(r.section())).append("</td><td>").append(esc(r.text()))
                    .append("</td><td class=\"n\">").append(esc(r.quantity())).append("</td><td class=\"n\">").append(esc(r.amount()))
                    .append("</td></tr>");
        }
        b.append("</tbody></table><p class=\"r\">").append(esc("Rounding: " + v.rounding() + ". Every line is explained at GET /v1/invoices/"
                + v.invoiceId() + "/explain.")).append("</p></body></html>");
        return b.toString();
    }

    /** The same rows as a PDF (A4, Helvetica, as many pages as it takes). */
    public static byte[] pdf(InvoiceView v) throws IOException {
        PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        List<String[]> lines = new ArrayList<>();
        List<String> h = header(v);
        lines.add(new String[] {"B", h.get(0)});
        for (String s : h.subList(1, h.size())) {
            lines.add(new String[] {"", s});
        }
        lines.add(new String[] {"", ""});
        String section = null;
        for (Row r : rows(v)) {
            if (!r.section().isEmpty() && !r.section().equals(section)) {
                lines.add(new String[] {"B", r.section()});
                section = r.section();
            }
            for (String part : wrap(r.text(), 80)) {
                lines.add(new String[] {r.strong() ? "B" : "", "  " + part, ""});
            }
            String[] last = lines.get(lines.size() - 1);
            lines.set(lines.size() - 1, new String[] {last[0], last[1], (r.quantity().isEmpty() ? "" : r.quantity() + "   ") + r.amount()});
        }
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            int i = 0;
            while (i < lines.size()) {
                PDPage page = new PDPage(PDRectangle.A4);
                doc.addPage(page);
                try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                    float y = page.getMediaBox().getHeight() - 50;
                    while (i < lines.size() && y > 50) {
                        String[] l = lines.get(i++);
                        PDType1Font font = "B".equals(l[0]) ? bold : regular;
                        text(s, font, 50, y, l[1]);
                        if (l.length > 2 && !l[2].isEmpty()) {
                            float w = font.getStringWidth(winAnsi(l[2])) / 1000 * 10;
                            text(s, font, page.getMediaBox().getWidth() - 50 - w, y, l[2]);
                        }
                        y -= 14;
                    }
                }
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    private static void text(PDPageContentStream s, PDType1Font font, float x, float y, String text) throws IOException {
        s.beginText();
        s.setFont(font, 10);
        s.newLineAtOffset(x, y);
        s.showText(winAnsi(text));
        s.endText();
    }

    /** Helvetica's WinAnsi encoding: what it lacks becomes '?', and the arrow and dashes their ASCII forms. */
    static String winAnsi(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.replace('→', '>').replace('−', '-').replace('—', '-').toCharArray()) {
            b.append(ch >= 32 && ch < 127 || ch >= 160 && ch <= 255 ? ch : '?');
        }
        return b.toString();
    }

    private static List<String> wrap(String s, int width) {
        List<String> out = new ArrayList<>();
        String rest = s;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            cut = cut <= 0 ? width : cut;
            out.add(rest.substring(0, cut));
            rest = rest.substring(cut).stripLeading();
        }
        out.add(rest);
        return out;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

}
