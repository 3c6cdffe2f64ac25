package dev.tally.admin.console;

import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.Response;

/** How every console page leaves: HTML, never cached, under a strict Content-Security-Policy (no inline script or style). */
public final class Pages {
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private Pages() {
    }

    public static Response html(int status, TemplateInstance page) {
        return headers(Response.status(status).type("text/html; charset=UTF-8").entity(page.render())).build();
    }

    /** A page for a signed-in user in a tenant (null: a platform page). */
    public static Response page(TemplateInstance page, Sessions.Session user, String tenant) {
        return html(200, page.data("user", user).data("tenant", tenant));
    }

    public static Response.ResponseBuilder headers(Response.ResponseBuilder r) {
        return r.header("Cache-Control", "no-store")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin"); // not no-referrer: Chrome then sends "Origin: null" on our own forms
    }
}
