package dev.tally.model.terms;

import dev.tally.model.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A purchase's payment schedule: its price in {@code n} instalments due at equal steps from the term's start
 * (instalment 1 at the start), each the price divided by {@code n} rounded down to the minor unit and the last taking
 * what is left — so the instalments add up to the price exactly, and no two differ by more than the remainder. Pure.
 */
public final class Instalments {
    private Instalments() {
    }

    /** One instalment: its number (1-based), when it is invoiced, and its amount. */
    public record Instalment(int seq, Instant dueAt, Money amount) {
    }

    /**
     * @param end the term's end; required when {@code n} &gt; 1 (the instalments spread over the term)
     */
    public static List<Instalment> split(Money price, int n, Instant start, Instant end) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one instalment");
        }
        if (n > 1 && (end == null || !end.isAfter(start))) {
            throw new IllegalArgumentException("instalments spread over a term: it needs an end after its start");
        }
        BigDecimal each = price.amount().divide(BigDecimal.valueOf(n), price.amount().scale(), RoundingMode.DOWN);
        long stepSeconds = n == 1 ? 0 : Duration.between(start, end).getSeconds() / n;
        List<Instalment> out = new ArrayList<>(n);
        Money sum = Money.zero(price.currency());
        for (int i = 1; i <= n; i++) {
            Money amount = i < n ? Money.of(each, price.currency()) : price.minus(sum);
            sum = sum.plus(amount);
            out.add(new Instalment(i, start.plusSeconds(stepSeconds * (i - 1)), amount));
        }
        return out;
    }
}
