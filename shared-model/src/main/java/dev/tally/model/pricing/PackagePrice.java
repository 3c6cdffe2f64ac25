package dev.tally.model.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code packagePrice} per started package of {@code packageSize} units: a partial package costs
 * a full package (2,500 units in packages of 1,000 = 3 packages). Zero units cost nothing.
 */
public record PackagePrice(BigDecimal packageSize, BigDecimal packagePrice) implements PriceModel {
    public PackagePrice {
        if (packageSize == null || packageSize.signum() <= 0) {
            throw new InvalidPriceException("packageSize", "must be positive");
        }
        Prices.requirePrice(packagePrice, "packagePrice");
    }

    @Override
    public Evaluation evaluate(ChargeInput input, String currency) {
        BigDecimal quantity = PriceModel.quantityOf(input, this);
        BigDecimal packages = Prices.packages(quantity, packageSize);
        BigDecimal amount = packages.multiply(packagePrice);
        boolean partial = packages.multiply(packageSize).compareTo(quantity) != 0;
        String text = Decimals.plain(quantity) + " units in packages of " + Decimals.plain(packageSize) + " = "
                + Decimals.plain(packages) + " package" + (packages.compareTo(BigDecimal.ONE) == 0 ? "" : "s")
                + (partial ? " (the last one partial, charged in full)" : "") + " × " + Prices.money(currency, packagePrice)
                + " = " + Prices.money(currency, amount);
        return new Evaluation(List.of(new Evaluation.Step(text, packages, packagePrice, amount)), amount);
    }
}
