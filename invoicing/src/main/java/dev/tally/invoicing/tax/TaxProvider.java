package dev.tally.invoicing.tax;

import dev.tally.model.tax.TaxRate;
import java.time.Instant;
import java.util.Optional;

/**
 * Where invoicing gets the tax rate of a customer's tax region. The default, {@link TableTaxProvider}, reads the
 * tenant's rates ({@code PUT /v1/tax-rates/{region}}); a deployment plugs in another (a tax service) as a CDI
 * {@code @Alternative} with a priority. Called inside the finalizing transaction; the rate it gives is copied onto
 * the invoice.
 */
public interface TaxProvider {
    /** The rate for {@code region} at {@code at}, or empty: no tax. {@code region} may be null (the customer has none). */
    Optional<TaxRate> rateFor(String tenantId, String region, Instant at);
}
