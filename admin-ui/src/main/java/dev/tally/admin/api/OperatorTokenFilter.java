package dev.tally.admin.api;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Every JAX-RS request carries the operator token, as {@code Authorization: Bearer <token>} or as the
 * password of HTTP Basic (any user name, so a browser's login prompt works); {@link OperatorToken}
 * compares in constant time. The token is never logged or echoed. {@code /q/health*} is not JAX-RS and
 * stays open for Kubernetes probes.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class OperatorTokenFilter implements ContainerRequestFilter {
    static final String CHALLENGE = "Basic realm=\"tally-admin\"";

    @Inject
    OperatorToken token;

    @Override
    public void filter(ContainerRequestContext request) {
        String presented = presentedToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (presented == null) {
            reject(request, "send the operator token as 'Authorization: Bearer <token>' or as the HTTP Basic password");
        } else if (!token.matches(presented)) {
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
}
