package dev.tally.invoicing.payment.stripe;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the {@code Stripe-Signature} header of a Stripe webhook delivery, as Stripe documents it ("verify
 * manually"): the header is {@code t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]}; the signed payload is
 * {@code t + "." + body}, where body is the raw request body exactly as received (decoded as UTF-8, never
 * re-serialized JSON); the signature is HMAC-SHA256 keyed with the endpoint's whole signing secret
 * ({@code whsec_…}, its UTF-8 bytes, as Stripe's libraries do). Any {@code v1} may match (Stripe sends several
 * while a secret is being rolled); {@code v0} and unknown schemes are ignored. Comparison is constant-time.
 *
 * <p>The timestamp must be within {@code tolerance} of {@code now} in either direction (default 5 minutes):
 * too old is a replay, too far ahead a clock problem or a forgery.
 */
public final class StripeSignature {
    /** Stripe's recommended tolerance. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private StripeSignature() {
    }

    /** Why a delivery was refused. */
    public enum Reason {
        MISSING_HEADER, NO_TIMESTAMP, NO_V1_SIGNATURE, MISMATCH, TOO_OLD, FROM_THE_FUTURE
    }

    /** A webhook delivery that did not come from Stripe with this secret, or not recently; see {@link #reason()}. */
    public static final class Invalid extends Exception {
        private final Reason reason;

        Invalid(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** {@link #verify(String, String, String, Instant, Duration)} with the default 5-minute tolerance. */
    public static void verify(String secret, String header, String body, Instant now) throws Invalid {
        verify(secret, header, body, now, DEFAULT_TOLERANCE);
    }

    /** Returns if {@code header} signs {@code body} with {@code secret} at a time within {@code tolerance} of {@code now}. */
    public static void verify(String secret, String header, String body, Instant now, Duration tolerance) throws Invalid {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(body, "body");
        if (header == null || header.isBlank()) {
            throw new Invalid(Reason.MISSING_HEADER, "no Stripe-Signature header");
        }
        Long timestamp = null;
        List<String> v1 = new ArrayList<>();
        for (String element : header.split(",")) {
            int eq = element.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = element.substring(0, eq).trim();
            String value = element.substring(eq + 1).trim();
            if (name.equals("t") && timestamp == null) {
                timestamp = parseSeconds(value);
            } else if (name.equals("v1") && !value.isEmpty()) {
                v1.add(value.toLowerCase(Locale.ROOT));
            }
        }
        if (timestamp == null) {
            throw new Invalid(Reason.NO_TIMESTAMP, "Stripe-Signature has no valid t= timestamp");
        }
        if (v1.isEmpty()) {
            throw new Invalid(Reason.NO_V1_SIGNATURE, "Stripe-Signature has no v1 signature");
        }
        byte[] expected = hmacHex(secret, timestamp + "." + body).getBytes(StandardCharsets.US_ASCII);
        boolean matched = false;
        for (String candidate : v1) {
            matched |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII));
        }
        if (!matched) {
            throw new Invalid(Reason.MISMATCH, "no v1 signature matches the body for this secret");
        }
        long age = now.getEpochSecond() - timestamp;
        if (age > tolerance.toSeconds()) {
            throw new Invalid(Reason.TOO_OLD, "signed " + age + " s ago, more than the tolerance of " + tolerance.toSeconds() + " s");
        }
        if (-age > tolerance.toSeconds()) {
            throw new Invalid(Reason.FROM_THE_FUTURE, "signed " + -age + " s in the future, more than the tolerance of " + tolerance.toSeconds() + " s");
        }
    }

    /** A full {@code Stripe-Signature} value for {@code body} signed with {@code secret} at {@code at}: {@code t=…,v1=…}. */
    public static String sign(String secret, String body, Instant at) {
        long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + hmacHex(secret, t + "." + body);
    }

    private static Long parseSeconds(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String hmacHex(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable or the secret is empty", e);
        }
    }
}
