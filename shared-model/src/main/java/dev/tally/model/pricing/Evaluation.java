package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * The result of pricing a quantity: the high-scale amount and the steps that produce it. The steps'
 * amounts always sum exactly to {@code amount}.
 */
public record Evaluation(List<Step> steps, BigDecimal amount) {
    public Evaluation {
        steps = List.copyOf(steps);
        BigDecimal sum = steps.stream().map(Step::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (sum.compareTo(amount) != 0) {
            throw new IllegalStateException("breakdown " + sum + " does not sum to " + amount);
        }
    }

    /**
     * One explained step, e.g. {@code "tier 2 (1000–10000): 9000 × USD 0.001 = USD 9.000"}.
     * {@code quantity} and {@code unitPrice} are null for flat fees and adjustments.
     */
    public record Step(String text, BigDecimal quantity, BigDecimal unitPrice, BigDecimal amount) {
    }
}
