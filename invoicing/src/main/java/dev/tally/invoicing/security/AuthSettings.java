package dev.tally.invoicing.security;

import dev.tally.invoicing.config.InvoicingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What the authentication filter reads from the configuration. A bean of its own (normal scope, so the filter holds a
 * proxy): REST filters are made while a native image is built, when run-time settings such as the operator token are
 * not known yet; this bean is made at run time, on first use.
 */
@ApplicationScoped
public class AuthSettings {
    @Inject
    InvoicingConfig config;

    /** The bootstrap operator token (never logged). */
    public String operatorToken() {
        return config.admin().token();
    }

    /** Requests per second per API key. */
    public double rate() {
        return config.api().rateLimit().requestsPerSecond();
    }

    /** The burst a key may send at once. */
    public double burst() {
        return config.api().rateLimit().burst();
    }
}
