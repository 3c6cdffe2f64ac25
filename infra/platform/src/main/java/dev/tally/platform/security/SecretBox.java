package dev.tally.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets at rest (Stripe keys, webhook signing secrets), by envelope encryption: each value is encrypted with a fresh
 * 256-bit data key (AES-GCM), and the data key is encrypted ("wrapped") with the deployment's key-encryption key, named
 * by an id. A stored value reads {@code tse1:<kid>:<wrapped data key>:<ciphertext>} (base64url; each GCM part carries its
 * own 12-byte nonce first). The ciphertext is bound to where it is stored ({@code context}, e.g. the table, column and
 * tenant), so a value copied to another row or tenant does not open.
 * <p>
 * The keys come from configuration ({@code tally.secrets.keys}: {@code kid:base64key,kid:base64key}, 32-byte keys); the
 * first is the current one, which seals; the others only open. Rotation: put a new key first, keep the old ones, let
 * {@link #rewrap} move each value to the new key (only the small wrapped data key changes), then drop the old key. A
 * database dump without the keys holds no readable secret. A value that does not start with {@code tse1:} is a
 * plaintext from before encryption: {@link #open} returns it as it is, and {@link #needsRewrap} says it must be sealed.
 */
public final class SecretBox {
    public static final String PREFIX = "tse1:";
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKid;
    private final Map<String, SecretKeySpec> keys;

    private SecretBox(String currentKid, Map<String, SecretKeySpec> keys) {
        this.currentKid = currentKid;
        this.keys = keys;
    }

    /** The box of {@code spec} ({@code kid:base64key,…}, the current key first), or an error naming what is wrong (never a key). */
    public static SecretBox of(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no secrets key: set tally.secrets.keys (TALLY_SECRETS_KEYS) to kid:base64-of-32-bytes");
        }
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.strip().split(":", 2);
            if (kv.length != 2 || !KID.matcher(kv[0]).matches()) {
                throw new IllegalArgumentException("tally.secrets.keys: each entry is kid:base64key, the kid letters, digits, _ or - (at most 32)");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(kv[1].strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tally.secrets.keys: key '" + kv[0] + "' is not base64");
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException("tally.secrets.keys: key '" + kv[0] + "' must be 32 bytes (it has " + raw.length + ")");
            }
            if (keys.putIfAbsent(kv[0], new SecretKeySpec(raw, "AES")) != null) {
                throw new IllegalArgumentException("tally.secrets.keys: key id '" + kv[0] + "' appears twice");
            }
        }
        return new SecretBox(keys.keySet().iterator().next(), keys);
    }

    /** A new key in the form {@code tally.secrets.keys} takes: {@code kid:base64}. */
    public static String newKey(String kid) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return kid + ":" + Base64.getEncoder().encodeToString(raw);
    }

    public String currentKid() {
        return currentKid;
    }

    /** {@code plaintext} sealed with a fresh data key wrapped by the current key, bound to {@code context}; null stays null. */
    public String seal(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        byte[] ct = gcm(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), plaintext.getBytes(StandardCharsets.UTF_8), context);
        byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, keys.get(currentKid), dataKey, currentKid);
        return PREFIX + currentKid + ":" + b64(wrapped) + ":" + b64(ct);
    }

    /** The plaintext of a sealed value (a legacy plaintext as it is); an error when it was not sealed here for this context. */
    public String open(String stored, String context) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        String[] p = parts(stored);
        byte[] dataKey = gcm(Cipher.DECRYPT_MODE, key(p[0]), unb64(p[1]), p[0]);
        return new String(gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), unb64(p[2]), context), StandardCharsets.UTF_8);
    }

    /** Whether a stored value must be sealed again: a plaintext, or wrapped by a key that is not the current one. */
    public boolean needsRewrap(String stored) {
        return stored != null && (!stored.startsWith(PREFIX) || !parts(stored)[0].equals(currentKid));
    }

    /**
     * The stored value under the current key: a plaintext is sealed; a sealed value keeps its ciphertext and gets its data
     * key wrapped by the current key.
     */
    public String rewrap(String stored, String context) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return seal(stored, context);
        }
        String[] p = parts(stored);
        byte[] dataKey = gcm(Cipher.DECRYPT_MODE, key(p[0]), unb64(p[1]), p[0]);
        // opening it proves the value belongs to this context before it is moved on
        gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), unb64(p[2]), context);
        return PREFIX + currentKid + ":" + b64(gcm(Cipher.ENCRYPT_MODE, keys.get(currentKid), dataKey, currentKid)) + ":" + p[2];
    }

    /** The key ids this box holds, the current one first. */
    public List<String> kids() {
        return new ArrayList<>(keys.keySet());
    }

    private SecretKeySpec key(String kid) {
        SecretKeySpec k = keys.get(kid);
        if (k == null) {
            throw new IllegalStateException("a secret is sealed with key '" + kid + "', which tally.secrets.keys no longer holds");
        }
        return k;
    }

    private static String[] parts(String stored) {
        String[] p = stored.substring(PREFIX.length()).split(":");
        if (p.length != 3) {
            throw new IllegalStateException("a sealed secret is malformed");
        }
        return p;
    }

    /** AES-GCM with a fresh nonce (encrypt: nonce ‖ ciphertext ‖ tag), {@code aad} authenticated with it. */
    private static byte[] gcm(int mode, SecretKeySpec key, byte[] in, String aad) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            if (mode == Cipher.ENCRYPT_MODE) {
                byte[] nonce = new byte[NONCE];
                RANDOM.nextBytes(nonce);
                c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
                c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
                byte[] ct = c.doFinal(in);
                byte[] out = new byte[NONCE + ct.length];
                System.arraycopy(nonce, 0, out, 0, NONCE);
                System.arraycopy(ct, 0, out, NONCE, ct.length);
                return out;
            }
            if (in.length < NONCE + TAG_BITS / 8) {
                throw new IllegalStateException("a sealed secret is malformed");
            }
            c.init(mode, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(in, NONCE, in.length - NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret does not open with its key and context (altered, or copied from elsewhere)");
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unb64(String s) {
        try {
            return Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a sealed secret is malformed");
        }
    }
}
