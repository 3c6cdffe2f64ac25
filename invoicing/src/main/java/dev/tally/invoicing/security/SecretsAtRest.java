package dev.tally.invoicing.security;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.platform.problem.ProblemException;
import dev.tally.platform.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * invoicing's secrets at rest — a tenant's Stripe key and webhook signing secret, each webhook endpoint's signing
 * secret — sealed with the deployment's keys ({@code tally.secrets.keys}, {@link SecretBox}) before they are written and
 * opened only where they are used. Each value is bound to its row ({@link #context}): a value copied to another tenant's
 * row does not open.
 */
@ApplicationScoped
public class SecretsAtRest {
    @Inject
    InvoicingConfig config;

    private volatile SecretBox box;

    /** Where a secret lives: its table, column and row, authenticated with its ciphertext. */
    public static String context(String table, String column, String... row) {
        return table + "." + column + ":" + String.join(":", row);
    }

    public String seal(String plaintext, String context) {
        return plaintext == null ? null : box().seal(plaintext, context);
    }

    public String open(String stored, String context) {
        if (stored == null || !stored.startsWith(SecretBox.PREFIX)) {
            return stored; // a plaintext from before encryption: sealed by the next rotation
        }
        return box().open(stored, context);
    }

    /** The box of the configured keys; 503 when none is configured (nothing secret can be stored or read then). */
    public SecretBox box() {
        SecretBox b = box;
        if (b == null) {
            String keys = config.secrets().keys().orElse("");
            if (keys.isBlank()) {
                throw new ProblemException(503, "secrets-not-configured", "Secrets not configured",
                        "no key to encrypt secrets with: set TALLY_SECRETS_KEYS (docs/operations.md, Secrets at rest)", null, null);
            }
            b = SecretBox.of(keys);
            box = b;
        }
        return b;
    }
}
