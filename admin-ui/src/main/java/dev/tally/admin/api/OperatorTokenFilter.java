package dev.tally.admin.api;

import dev.tally.admin.config.AdminConfig;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Every JAX-RS request carries the operator token, as {@code Authorization: Bearer <token>} or as the
 * password of HTTP Basic (any user name, so a browser's login prompt works). Tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, so neither content nor length leaks through
 * timing. The token is never logged or echoed. {@code /q/health*} is not JAX-RS and stays open.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class OperatorTokenFilter implements ContainerRequestFilter {
    static final String CHALLENGE = "Basic realm=\"tally-admin\"";

    private final byte[] expected;

    @Inject
    public OperatorTokenFilter(AdminConfig config) {
        this.expected = sha256(config.token());
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String presented = presentedToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (presented == null) {
            reject(request, "send the operator token as 'Authorization: Bearer <token>' or as the HTTP Basic password");
        } else if (!MessageDigest.isEqual(expected, sha256(presented))) {
            reject(request, "the operator token is not valid");
        }
    }

    /** The token from a Bearer or Basic {@code Authorization} header; null if there is none or it is malformed. */
    static String presentedToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String header = authorization.strip();
        int space = header.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = header.substring(0, space);
        String credentials = header.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return credentials.isEmpty() ? null : credentials;
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            return colon < 0 || colon == decoded.length() - 1 ? null : decoded.substring(colon + 1);
        }
        return null;
    }

    private static void reject(ContainerRequestContext request, String detail) {
        request.abortWith(Problem.of("unauthorized", "Unauthorized", 401, detail).response()
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
