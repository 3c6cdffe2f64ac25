package dev.tally.invoicing.tax;

import dev.tally.model.tax.TaxRate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The tenant's own rates, from {@link TaxRates}: per tax region, the row in force at {@code at} (the latest that began by then). */
@ApplicationScoped
public class TableTaxProvider implements TaxProvider {
    @Inject
    TaxRates rates;

    @Override
    public Optional<TaxRate> rateFor(String tenantId, String region, Instant at) {
        if (region == null || region.isBlank()) {
            return Optional.empty();
        }
        try {
            return rates.at(tenantId, region, at);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
