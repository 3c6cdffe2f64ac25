package dev.tally.admin.console;

import dev.tally.admin.api.AdminUsers;
import dev.tally.admin.api.OperatorToken;
import dev.tally.admin.config.AdminConfig;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Sign-in with an admin user's token (or the operator token) in a form, and sign-out. The token is checked with
 * invoicing once; the browser gets only a random session id in an HttpOnly, SameSite=Strict cookie (Secure over TLS).
 */
@Path("/")
@Produces("text/html; charset=UTF-8")
public class LoginResource {
    @Inject
    Template login;
    @Inject
    Sessions sessions;
    @Inject
    OperatorToken operatorToken;
    @Inject
    AdminUsers users;
    @Inject
    AdminConfig config;
    @Context
    ContainerRequestContext request;

    @GET
    @Path("login")
    public Response form(@QueryParam("next") String next, @QueryParam("why") String why) {
        String message = switch (why == null ? "" : why) {
            case "expired" -> "Your session has expired. Sign in again.";
            case "disabled" -> "Your admin user has been disabled. Ask an operator.";
            case "signed-out" -> "You are signed out.";
            default -> null;
        };
        return Pages.html(200, login.data("next", safeNext(next)).data("message", message).data("error", null));
    }

    @POST
    @Path("login")
    public Response signIn(@RestForm String token, @RestForm String next) throws Exception {
        String origin = request.getHeaderString("Origin");
        if (origin != null && !origin.equalsIgnoreCase("http://" + request.getHeaderString("Host"))
                && !origin.equalsIgnoreCase("https://" + request.getHeaderString("Host"))) {
            return Pages.html(403, login.data("next", "/").data("message", null).data("error", "Sign in from the console's own page."));
        }
        String presented = token == null ? "" : token.strip();
        String actor = null;
        String role = null;
        if (!presented.isEmpty() && operatorToken.matches(presented)) {
            actor = "operator";
            role = "operator";
        } else if (AdminUsers.looksLikeAdminToken(presented)) {
            AdminUsers.Verdict v;
            try {
                v = users.verify(presented).toCompletableFuture().get(config.probeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return Pages.html(503, login.data("next", safeNext(next)).data("message", null)
                        .data("error", "Tokens are checked with invoicing, which cannot be reached right now. Try again in a moment."));
            }
            actor = v.actor();
            role = v.role();
        }
        if (actor == null) {
            return Pages.html(401, login.data("next", safeNext(next)).data("message", null)
                    .data("error", "That token is not valid, or its admin user is disabled."));
        }
        Cookie old = request.getCookies().get(Sessions.COOKIE);
        if (old != null) {
            sessions.end(old.getValue());
        }
        Sessions.Session s = sessions.create(presented, actor, role);
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie(s.id(), -1)).header("Cache-Control", "no-store").build();
    }

    @POST
    @Path("logout")
    public Response signOut(@RestForm String csrf) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        sessions.end(who.id());
        return Response.seeOther(URI.create("/login?why=signed-out")).cookie(cookie("", 0)).build();
    }

    private NewCookie cookie(String value, int maxAge) {
        boolean secure = config.session().secureCookie().orElseGet(() -> "https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme())
                || "https".equalsIgnoreCase(request.getHeaderString("X-Forwarded-Proto")));
        return new NewCookie.Builder(Sessions.COOKIE).value(value).path("/").httpOnly(true).sameSite(NewCookie.SameSite.STRICT)
                .secure(secure).maxAge(maxAge).build();
    }

    /** Only a path on this console, never another site ({@code //evil}, {@code https:…}). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/login")) {
            return "/";
        }
        return next;
    }
}
