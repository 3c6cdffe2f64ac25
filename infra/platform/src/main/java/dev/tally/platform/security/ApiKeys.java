package dev.tally.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API keys: {@code tly_<keyId>_<secret>}, 32 random bytes of secret. Only the SHA-256 of the whole
 * key is stored or published; a key's 256 bits of entropy make a slow hash unnecessary. The key id
 * is public (shown in lists and logs), the key itself is shown once.
 */
public final class ApiKeys {

    private ApiKeys() {
    }

    public record NewKey(String keyId, String key, String sha256) {
    }

    public static NewKey generate() {
        return generate("tly");
    }

    /** A key {@code <prefix>_<keyId>_<secret>}: {@code tly} for tenant keys, {@code tad} for admin users' tokens. */
    public static NewKey generate(String prefix) {
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        // a new generator per key (keys are rare): one kept in a static field would be built into a native image's
        // heap, its seed the same in every process
        SecureRandom random = new SecureRandom();
        random.nextBytes(id);
        random.nextBytes(secret);
        String keyId = HexFormat.of().formatHex(id);
        String key = prefix + "_" + keyId + "_" + HexFormat.of().formatHex(secret);
        return new NewKey(keyId, key, sha256(key));
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bearer token of an {@code Authorization} header, or {@code null}. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** Constant-time comparison for shared secrets such as the operator token. */
    public static boolean sameSecret(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
