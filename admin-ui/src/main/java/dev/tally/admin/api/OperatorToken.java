package dev.tally.admin.api;

import dev.tally.admin.config.AdminConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The configured operator token, kept only as its SHA-256 digest. Comparing digests with
 * {@link MessageDigest#isEqual} takes the same time whatever the presented token's content or length.
 * Application-scoped (so proxied and created on first use): JAX-RS filters are built at static init,
 * before runtime configuration exists.
 */
@ApplicationScoped
public class OperatorToken {
    @Inject
    AdminConfig config;

    private byte[] expected;

    @PostConstruct
    void digest() {
        expected = sha256(config.token());
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
