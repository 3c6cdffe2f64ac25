package dev.tally.model.plan;

import dev.tally.model.money.Currencies;
import dev.tally.model.pricing.ChargeCaps;
import dev.tally.model.pricing.FreeAllowance;
import dev.tally.model.pricing.GraduatedPercentagePrice;
import dev.tally.model.pricing.GraduatedPrice;
import dev.tally.model.pricing.InvalidPriceException;
import dev.tally.model.pricing.MatrixPrice;
import dev.tally.model.pricing.PackagePrice;
import dev.tally.model.pricing.PerUnitPrice;
import dev.tally.model.pricing.PercentagePrice;
import dev.tally.model.pricing.PriceModel;
import dev.tally.model.pricing.Tier;
import dev.tally.model.pricing.VolumePrice;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a whole {@link PlanSpec} and builds its price models. Reports every problem, each with
 * the JSON path of the offending field ({@code charges[1].price.tiers[2].upTo}), so a caller can fix
 * a plan in one round trip.
 */
public final class PlanValidator {
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    private PlanValidator() {
    }

    public record Problem(String field, String code, String message) {
    }

    /** Either the plan's price models by meter (in charge order), or the problems. */
    public record Result(Map<String, PriceModel> prices, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public static Result validate(PlanSpec plan) {
        List<Problem> problems = new ArrayList<>();
        Map<String, PriceModel> prices = new LinkedHashMap<>();
        if (plan == null) {
            return new Result(Map.of(), List.of(new Problem("", "missing", "a plan document is required")));
        }
        if (plan.schemaVersion() == null || plan.schemaVersion() != PlanSpec.CURRENT_VERSION) {
            problems.add(new Problem("schemaVersion", "unsupported_version",
                    "schemaVersion must be " + PlanSpec.CURRENT_VERSION + ", was " + plan.schemaVersion()));
        }
        if (plan.key() == null || !KEY.matcher(plan.key()).matches()) {
            problems.add(new Problem("key", "invalid", "key must match " + KEY.pattern()));
        }
        if (plan.name() == null || plan.name().isBlank()) {
            problems.add(new Problem("name", "missing", "name is required"));
        }
        if (!Currencies.isKnown(plan.currency())) {
            problems.add(new Problem("currency", "unknown_currency", "'" + plan.currency() + "' is not an ISO 4217 currency"));
        }
        if (plan.charges() == null || plan.charges().isEmpty()) {
            problems.add(new Problem("charges", "missing", "a plan needs at least one charge"));
            return new Result(Map.of(), List.copyOf(problems));
        }
        Set<String> meters = new HashSet<>();
        for (int i = 0; i < plan.charges().size(); i++) {
            String path = "charges[" + i + "]";
            PlanSpec.ChargeSpec c = plan.charges().get(i);
            if (c == null || c.meter() == null || c.meter().isBlank()) {
                problems.add(new Problem(path + ".meter", "missing", "each charge names its meter"));
                continue;
            }
            if (!meters.add(c.meter())) {
                problems.add(new Problem(path + ".meter", "duplicate", "meter '" + c.meter() + "' is charged twice"));
                continue;
            }
            try {
                prices.put(c.meter(), build(c.price(), path + ".price"));
            } catch (SpecException e) {
                problems.add(e.problem);
            }
        }
        if (plan.terms() != null && Currencies.isKnown(plan.currency())) {
            terms(plan.terms(), plan.currency(), problems);
        }
        return problems.isEmpty() ? new Result(prices, List.of()) : new Result(Map.of(), List.copyOf(problems));
    }

    private static void terms(PlanSpec.TermsSpec t, String currency, List<Problem> problems) {
        Set<String> keys = new HashSet<>();
        List<PlanSpec.FixedFeeSpec> fees = t.fixedFees() == null ? List.of() : t.fixedFees();
        for (int i = 0; i < fees.size(); i++) {
            String path = "terms.fixedFees[" + i + "]";
            PlanSpec.FixedFeeSpec f = fees.get(i);
            if (f == null || f.key() == null || !KEY.matcher(f.key()).matches()) {
                problems.add(new Problem(path + ".key", "invalid", "each fixed fee has a key matching " + KEY.pattern()));
            } else if (!keys.add(f.key())) {
                problems.add(new Problem(path + ".key", "duplicate", "fixed fee '" + f.key() + "' is listed twice"));
            }
            if (f != null) {
                amount(f.amount(), currency, path + ".amount", problems);
            }
        }
        Set<String> names = new HashSet<>();
        List<PlanSpec.DiscountSpec> discounts = t.discounts() == null ? List.of() : t.discounts();
        for (int i = 0; i < discounts.size(); i++) {
            String path = "terms.discounts[" + i + "]";
            PlanSpec.DiscountSpec d = discounts.get(i);
            if (d == null || d.name() == null || d.name().isBlank() || d.name().length() > 100) {
                problems.add(new Problem(path + ".name", "missing", "each discount has a name (at most 100 characters)"));
                continue;
            }
            if (!names.add(d.name())) {
                problems.add(new Problem(path + ".name", "duplicate", "discount '" + d.name() + "' is listed twice"));
            }
            if (!"percent".equals(d.kind()) && !"amount".equals(d.kind())) {
                problems.add(new Problem(path + ".kind", "invalid", "kind must be percent or amount"));
            } else if ("percent".equals(d.kind())) {
                if (d.value() == null || d.value().signum() <= 0 || d.value().compareTo(BigDecimal.valueOf(100)) > 0
                        || d.value().stripTrailingZeros().scale() > 4) {
                    problems.add(new Problem(path + ".value", "invalid", "a percent discount is in (0, 100] with at most 4 decimals"));
                }
            } else {
                amount(d.value(), currency, path + ".value", problems);
            }
            if (d.periods() != null && d.periods() < 0) {
                problems.add(new Problem(path + ".periods", "invalid", "periods is 0 (every period) or more"));
            }
        }
        if (t.minimumCommitment() != null) {
            amount(t.minimumCommitment(), currency, "terms.minimumCommitment", problems);
        }
    }

    private static void amount(BigDecimal amount, String currency, String field, List<Problem> problems) {
        int minor = Currencies.minorUnits(Currencies.of(currency));
        if (amount == null || amount.signum() <= 0) {
            problems.add(new Problem(field, "invalid", "must be a positive amount in " + currency));
        } else if (amount.stripTrailingZeros().scale() > minor) {
            problems.add(new Problem(field, "invalid", "has more than " + minor + " decimals for " + currency));
        }
    }

    private static final class SpecException extends RuntimeException {
        final Problem problem;

        SpecException(Problem problem) {
            super(problem.message(), null, false, false);
            this.problem = problem;
        }
    }

    private static PriceModel build(PlanSpec.PriceSpec p, String path) {
        if (p == null || p.model() == null) {
            throw new SpecException(new Problem(path + ".model", "missing", "a price needs a model"));
        }
        try {
            PriceModel core = switch (p.model()) {
                case "per_unit" -> new PerUnitPrice(p.unitPrice());
                case "package" -> new PackagePrice(p.packageSize(), p.packagePrice());
                case "graduated" -> new GraduatedPrice(tiers(p, path));
                case "volume" -> new VolumePrice(tiers(p, path));
                case "graduated_percentage" -> new GraduatedPercentagePrice(tiers(p, path));
                case "percentage" -> new PercentagePrice(p.ratePercent(), p.fixedFee(), p.minimumFee(), p.maximumFee());
                case "matrix" -> matrix(p, path);
                default -> throw new SpecException(new Problem(path + ".model", "unknown_model",
                        "model must be one of per_unit, package, graduated, volume, graduated_percentage, percentage, matrix; was '"
                                + p.model() + "'"));
            };
            if (p.freeUnits() != null) {
                core = new FreeAllowance(p.freeUnits(), core);
            }
            if (p.minimum() != null || p.maximum() != null) {
                core = new ChargeCaps(core, p.minimum(), p.maximum());
            }
            return core;
        } catch (InvalidPriceException e) {
            String field = switch (e.field()) {
                case "inner", "then" -> "model";
                case "default" -> "defaultPrice";
                default -> e.field();
            };
            throw new SpecException(new Problem(path + "." + field, "invalid_price", e.getMessage()));
        }
    }

    private static List<Tier> tiers(PlanSpec.PriceSpec p, String path) {
        if (p.tiers() == null) {
            throw new SpecException(new Problem(path + ".tiers", "missing", "tiers are required for " + p.model()));
        }
        List<Tier> out = new ArrayList<>();
        for (int i = 0; i < p.tiers().size(); i++) {
            PlanSpec.TierSpec t = p.tiers().get(i);
            boolean percent = "graduated_percentage".equals(p.model());
            try {
                // a graduated percentage tier carries its rate where a quantity tier carries its unit price
                out.add(new Tier(t.upTo(), percent ? t.ratePercent() : t.unitPrice(), t.flatFee(), t.packageSize()));
            } catch (InvalidPriceException e) {
                String field = percent && "unitPrice".equals(e.field()) ? "ratePercent" : e.field();
                throw new SpecException(new Problem(path + ".tiers[" + i + "]." + field, "invalid_price", e.getMessage()));
            }
        }
        return out;
    }

    private static MatrixPrice matrix(PlanSpec.PriceSpec p, String path) {
        if (p.defaultPrice() == null) {
            throw new SpecException(new Problem(path + ".defaultPrice", "missing_default",
                    "a matrix needs a defaultPrice for combinations it does not list"));
        }
        Map<Map<String, String>, PriceModel> entries = new HashMap<>();
        List<PlanSpec.MatrixEntrySpec> specs = p.entries() == null ? List.of() : p.entries();
        for (int i = 0; i < specs.size(); i++) {
            PlanSpec.MatrixEntrySpec e = specs.get(i);
            String entryPath = path + ".entries[" + i + "]";
            if (e.match() == null || p.dimensions() == null || !e.match().keySet().equals(new HashSet<>(p.dimensions()))) {
                throw new SpecException(new Problem(entryPath + ".match", "invalid_match",
                        "match must give a value for exactly the dimensions " + p.dimensions()));
            }
            if (entries.put(e.match(), build(e.price(), entryPath + ".price")) != null) {
                throw new SpecException(new Problem(entryPath + ".match", "duplicate", "two entries match " + e.match()));
            }
        }
        return new MatrixPrice(p.dimensions(), entries, build(p.defaultPrice(), path + ".defaultPrice"));
    }
}
