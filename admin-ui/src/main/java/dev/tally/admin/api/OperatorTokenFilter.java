package dev.tally.admin.api;

import dev.tally.admin.console.Console;
import dev.tally.admin.console.Sessions;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every JAX-RS request but the sign-in page and the static assets is signed in: by the console's session cookie
 * ({@link Sessions}; a page asked for without one is sent to sign in), or — for scripts — by
 * {@code Authorization: Bearer <token>} or the token as the password of HTTP Basic. The token is an admin user's
 * ({@code tad_…}, verified with invoicing by {@link AdminUsers}, without blocking) or the bootstrap operator token
 * ({@link OperatorToken}, compared in constant time). A state-changing request with the session cookie must come from
 * this origin (checked here) and carry the session's CSRF token (checked by {@link Console#requireCsrf}). Tokens are
 * never logged or echoed. {@code /q/health*} is not JAX-RS and stays open for Kubernetes probes.
 */
public class OperatorTokenFilter {
    static final String CHALLENGE = "Basic realm=\"tally-admin\"";

    @Inject
    OperatorToken token;
    @Inject
    AdminUsers users;
    @Inject
    Sessions sessions;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.equals("/login") || path.startsWith("/ui/") || path.startsWith("/portal/") || path.startsWith("/portal-theme/")) {
            // the portal carries its own credential, a session token the services check (PortalPages)
            return Uni.createFrom().nullItem();
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null) {
            return fromSession(request, path);
        }
        String presented = presentedToken(authorization);
        if (presented == null) {
            return Uni.createFrom().item(reject("send an admin token or the operator token as 'Authorization: Bearer <token>'"
                    + " or as the HTTP Basic password"));
        }
        boolean bearer = authorization.strip().regionMatches(true, 0, "Bearer", 0, 6);
        if (token.matches(presented)) {
            Console.signedIn(request, sessions.transientSession(presented, "operator", "operator", bearer));
            return Uni.createFrom().nullItem();
        }
        if (!AdminUsers.looksLikeAdminToken(presented)) {
            return Uni.createFrom().item(reject("the token is not valid"));
        }
        return Uni.createFrom().completionStage(() -> users.verify(presented)).onItemOrFailure().transform((verdict, failure) -> {
            if (failure != null) {
                return unavailable();
            }
            if (verdict.actor() == null) {
                return reject("the admin token is unknown or disabled");
            }
            Console.signedIn(request, sessions.transientSession(presented, verdict.actor(), verdict.role(), bearer));
            return null;
        });
    }

    private Uni<Response> fromSession(ContainerRequestContext request, String path) {
        Cookie cookie = request.getCookies().get(Sessions.COOKIE);
        Optional<Sessions.Session> session = sessions.find(cookie == null ? null : cookie.getValue());
        boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        if (session.isEmpty()) {
            if (read && !path.startsWith("/api/")) {
                return Uni.createFrom().item(toSignIn(request, cookie == null ? null : "expired"));
            }
            return Uni.createFrom().item(reject(cookie == null ? "sign in first, or send an admin token or the operator token"
                    : "the session has expired; sign in again"));
        }
        if (!read && !sameOrigin(request)) {
            return Uni.createFrom().item(Problem.of("cross-origin", "Forbidden", 403,
                    "a change must come from the console's own pages (the Origin header names another site)").response()
                    .header(HttpHeaders.CACHE_CONTROL, "no-store").build());
        }
        Sessions.Session s = session.get();
        if (!AdminUsers.looksLikeAdminToken(s.token())) {
            Console.signedIn(request, s);
            return Uni.createFrom().nullItem();
        }
        // the user may have been disabled since sign-in: invoicing is asked again (its answer is kept 30 s)
        return Uni.createFrom().completionStage(() -> users.verify(s.token())).onItemOrFailure().transform((verdict, failure) -> {
            if (failure != null) {
                return unavailable();
            }
            if (verdict.actor() == null) {
                sessions.end(s.id());
                return read ? toSignIn(request, "disabled") : reject("the admin user is disabled");
            }
            Console.signedIn(request, s);
            return null;
        });
    }

    /** The Origin header, when the browser sent one, must be this host (SameSite=Strict already keeps other sites' cookies out). */
    private static boolean sameOrigin(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (origin == null || origin.equals("null")) {
            return origin == null;
        }
        String host = request.getHeaderString(HttpHeaders.HOST);
        try {
            URI o = URI.create(origin);
            return host != null && (o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort())).equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Response toSignIn(ContainerRequestContext request, String why) {
        String next = request.getUriInfo().getRequestUri().getRawPath();
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        if (query != null) {
            next += "?" + query;
        }
        String location = "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8) + (why == null ? "" : "&why=" + why);
        return Response.seeOther(URI.create(location)).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private static Response unavailable() {
        return Problem.of("unavailable", "Service unavailable", 503,
                "admin tokens are verified with invoicing, which cannot be reached; the operator token still works").response()
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
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
