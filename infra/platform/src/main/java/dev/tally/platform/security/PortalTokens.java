package dev.tally.platform.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Customer portal session tokens: {@code tps_<payload>.<signature>}, the payload the session's claims as base64url JSON
 * and the signature HMAC-SHA256 over {@code tps_<payload>} with the deployment's portal secret ({@code tally.portal.secret},
 * shared by invoicing, which issues them, and rating, which checks them too). A token names one customer of one tenant,
 * its scopes and its expiry; it is good for a few read routes of that customer only (each service's auth filter keeps
 * the list) and for nothing else. Stateless: it cannot be revoked before it expires, so sessions are short (minutes).
 */
public final class PortalTokens {
    public static final String PREFIX = "tps_";
    /** What a session may see: the current period's usage and cost, the invoices, the events behind a line (CSV). */
    public static final Set<String> SCOPES = Set.of("usage", "invoices", "download");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PortalTokens() {
    }

    /** A session's claims: whose, what it may see, until when (unix seconds), and the page's locale. */
    public record Claims(String sessionId, String tenantId, String customerId, String externalId, List<String> scopes, long expiresAt,
            String locale) {
        public boolean allows(String scope) {
            return scopes != null && scopes.contains(scope);
        }
    }

    public static String issue(String secret, Claims claims) {
        try {
            String body = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(claims));
            return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(WebhookSignature.hmacSha256(secret, body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("claims are plain strings and numbers", e);
        }
    }

    /** The claims of a token this secret signed and that has not expired at {@code nowSeconds}; null for anything else. */
    public static Claims verify(String secret, String token, long nowSeconds) {
        if (secret == null || secret.isEmpty() || token == null || !token.startsWith(PREFIX) || token.length() > 2048) {
            return null;
        }
        int dot = token.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String body = token.substring(0, dot);
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!MessageDigest.isEqual(WebhookSignature.hmacSha256(secret, body), signature)) {
            return null;
        }
        try {
            Claims c = JSON.readValue(Base64.getUrlDecoder().decode(body.substring(PREFIX.length())), Claims.class);
            return c.tenantId() == null || c.customerId() == null || c.expiresAt() <= nowSeconds ? null : c;
        } catch (Exception e) {
            return null;
        }
    }
}
