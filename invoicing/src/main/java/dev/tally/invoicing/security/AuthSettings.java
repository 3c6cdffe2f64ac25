package dev.tally.invoicing.security;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the authentication filter reads from the configuration. A bean of its own (normal scope, so the filter holds a
 * proxy): REST filters are made while a native image is built, when run-time settings such as the operator token are
 * not known yet; this bean is made at run time, on first use.
 */
@ApplicationScoped
public class AuthSettings {
    @ConfigProperty(name = "tally.admin.token")
    String operatorToken;
    @ConfigProperty(name = "tally.api.rate-limit.requests-per-second", defaultValue = "100")
    double rate;
    @ConfigProperty(name = "tally.api.rate-limit.burst", defaultValue = "200")
    double burst;

    /** The bootstrap operator token (never logged). */
    public String operatorToken() {
        return operatorToken;
    }

    /** Requests per second per API key. */
    public double rate() {
        return rate;
    }

    /** The burst a key may send at once. */
    public double burst() {
        return burst;
    }
}
