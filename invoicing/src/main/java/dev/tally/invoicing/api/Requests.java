package dev.tally.invoicing.api;

import java.math.BigDecimal;
import java.util.List;

/** Request bodies of the catalog API. */
public final class Requests {
    private Requests() {
    }

    public record NewTenant(String name) {
    }

    public record NewApiKey(String scope) {
    }

    public record NewMeter(String key, String eventType, String aggregation, String property) {
    }

    public record NewPlan(String key, String name, String currency, List<NewCharge> charges) {
    }

    public record NewCharge(String meter, String description, BigDecimal unitPrice) {
    }

    /** {@code taxRegion}: e.g. an ISO 3166 code ("DE", "US-CA"); {@code aliases}: see docs/api.md. */
    public record NewCustomer(String externalId, String name, String currency, String billingEmail, String taxRegion, String plan,
            dev.tally.model.attribution.Aliases aliases) {
    }
}
