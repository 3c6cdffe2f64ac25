package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.Money;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes an invoice as a pure function of its inputs. Each charge is priced at full precision,
 * rounded once into its line, and the total is the sum of the rounded lines.
 */
public final class InvoiceCalculator {
    private InvoiceCalculator() {
    }

    public static Invoice compute(String currency, BillingPeriod period, List<ChargeUsage> charges, RoundingPolicy rounding) {
        List<InvoiceLine> lines = new ArrayList<>(charges.size());
        Money total = Money.zero(currency);
        for (ChargeUsage charge : charges) {
            Evaluation evaluation = charge.price().evaluate(charge.input(), currency);
            Money amount = rounding.toMoney(evaluation.amount(), currency);
            lines.add(new InvoiceLine(charge.meterKey(), charge.description(), charge.input().total(), charge.eventCount(),
                    evaluation.amount(), amount, evaluation.steps()));
            total = total.plus(amount);
        }
        return new Invoice(currency, period, lines, total);
    }
}
