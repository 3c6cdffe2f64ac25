package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A price chosen by dimension values ({region=eu, tier=gpu} → $0.12/unit), with a default for
 * combinations not listed. Each group of usage is priced by its entry's model; the groups' amounts
 * add up. Entries must be quantity models.
 *
 * @param dimensions the dimensions an entry is matched on, e.g. [region]
 * @param entries    model by exact dimension values (a missing dimension value matches "")
 */
public record MatrixPrice(List<String> dimensions, Map<Map<String, String>, PriceModel> entries, PriceModel defaultPrice)
        implements PriceModel {
    public MatrixPrice {
        if (dimensions == null || dimensions.isEmpty()) {
            throw new InvalidPriceException("dimensions", "a matrix needs at least one dimension");
        }
        if (defaultPrice == null) {
            throw new InvalidPriceException("default", "a matrix needs a default price for combinations it does not list");
        }
        requireQuantityModel(defaultPrice, "default");
        for (Map.Entry<Map<String, String>, PriceModel> e : entries.entrySet()) {
            if (!e.getKey().keySet().equals(new HashSet<>(dimensions))) {
                throw new InvalidPriceException("entries." + e.getKey(), "must give a value for exactly the dimensions " + dimensions);
            }
            requireQuantityModel(e.getValue(), "entries." + e.getKey());
        }
        dimensions = List.copyOf(dimensions);
        entries = Map.copyOf(entries);
    }

    private static void requireQuantityModel(PriceModel m, String field) {
        if (m instanceof MatrixPrice || m instanceof PercentagePrice) {
            throw new InvalidPriceException(field, "must price a quantity (per-unit, package, tiers, allowance, caps)");
        }
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        if (!(input instanceof ChargeInput.Grouped grouped)) {
            throw new IllegalArgumentException("MatrixPrice prices grouped quantities, not " + input.getClass().getSimpleName());
        }
        // groups that map to the same cell are added before pricing, so tiers see the cell's whole quantity
        Map<String, Map.Entry<Map<String, String>, BigDecimal>> cells = new TreeMap<>();
        for (var e : grouped.quantities().entrySet()) {
            Map<String, String> cell = new TreeMap<>();
            for (String d : dimensions) {
                String v = e.getKey().get(d);
                cell.put(d, v == null ? "" : v);
            }
            cells.merge(cell.toString(), Map.entry(cell, e.getValue()),
                    (a, b) -> Map.entry(a.getKey(), a.getValue().add(b.getValue())));
        }
        List<Evaluation.Step> steps = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (var cell : cells.values()) {
            PriceModel model = entries.get(cell.getKey());
            String label = cell.getKey() + (model == null ? " (default)" : "");
            Evaluation inner = (model == null ? defaultPrice : model).evaluate(cell.getValue(), currency);
            for (Evaluation.Step s : inner.steps()) {
                steps.add(new Evaluation.Step(label + " " + s.text(), s.quantity(), s.unitPrice(), s.amount()));
            }
            total = total.add(inner.amount());
        }
        return new Evaluation(steps, total);
    }
}
