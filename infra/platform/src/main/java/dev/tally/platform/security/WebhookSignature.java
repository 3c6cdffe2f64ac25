package dev.tally.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on every webhook Tally sends, in header {@value #HEADER}: {@code t=<unix seconds>,v1=<hex>}
 * where the hex is HMAC-SHA256(secret, {@code t + "." + body}). A receiver recomputes it with its
 * endpoint secret, compares in constant time, and refuses timestamps outside its tolerance (replay).
 */
public final class WebhookSignature {
    public static final String HEADER = "Tally-Signature";

    private WebhookSignature() {
    }

    public static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
    }

    /** Whether {@code header} signs {@code body} with {@code secret} at a time within {@code toleranceSeconds} of {@code nowSeconds}. */
    public static boolean verify(String secret, String header, String body, long nowSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        Long t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = part.substring(0, eq).trim();
            String v = part.substring(eq + 1).trim();
            if (k.equals("t")) {
                try {
                    t = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (k.equals("v1")) {
                v1 = v;
            }
        }
        if (t == null || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
            return false;
        }
        return MessageDigest.isEqual(hmac(secret, t + "." + body).getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static String hmac(String secret, String message) {
        return HexFormat.of().formatHex(hmacSha256(secret, message));
    }

    /** HMAC-SHA256 of {@code message} under {@code secret} (both UTF-8): the webhook signature's, and portal session tokens'. */
    static byte[] hmacSha256(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
