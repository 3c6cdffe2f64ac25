package dev.tally.admin.api;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every JAX-RS request is signed in, as {@code Authorization: Bearer <token>} or with the token as the
 * password of HTTP Basic (any user name, so a browser's login prompt works). The token is an admin
 * user's ({@code tad_…}, verified with invoicing by {@link AdminUsers}, without blocking) or the
 * bootstrap operator token ({@link OperatorToken}, compared in constant time). Tokens are never logged
 * or echoed. {@code /q/health*} is not JAX-RS and stays open for Kubernetes probes.
 */
public class OperatorTokenFilter {
    static final String CHALLENGE = "Basic realm=\"tally-admin\"";

    @Inject
    OperatorToken token;
    @Inject
    AdminUsers users;

    @ServerRequestFilter(priority = jakarta.ws.rs.Priorities.AUTHENTICATION)
    public Uni<Response> filter(ContainerRequestContext request) {
        String presented = presentedToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (presented == null) {
            return Uni.createFrom().item(reject("send an admin token or the operator token as 'Authorization: Bearer <token>'"
                    + " or as the HTTP Basic password"));
        }
        if (token.matches(presented)) {
            return Uni.createFrom().nullItem();
        }
        if (!AdminUsers.looksLikeAdminToken(presented)) {
            return Uni.createFrom().item(reject("the token is not valid"));
        }
        return Uni.createFrom().completionStage(() -> users.verify(presented)).onItemOrFailure().transform((verdict, failure) -> {
            if (failure != null) {
                return Problem.of("unavailable", "Service unavailable", 503,
                        "admin tokens are verified with invoicing, which cannot be reached; the operator token still works").response()
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
            }
            return verdict.actor() == null ? reject("the admin token is unknown or disabled") : null;
        });
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

    private static Response reject(String detail) {
        return Problem.of("unauthorized", "Unauthorized", 401, detail).response()
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }
}
