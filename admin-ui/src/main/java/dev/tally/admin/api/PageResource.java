package dev.tally.admin.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The operations page and its script and style, read from {@code ui/} on the classpath. They are served
 * here rather than from {@code META-INF/resources} so the operator-token filter guards them too; being
 * separate files lets the Content-Security-Policy forbid inline script and style.
 */
@Path("/")
public class PageResource {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String PAGE = read("ui/index.html");
    private static final String SCRIPT = read("ui/app.js");
    private static final String STYLE = read("ui/app.css");

    @GET
    @Produces("text/html; charset=UTF-8")
    public Response page() {
        return asset(PAGE);
    }

    @GET
    @Path("ui/app.js")
    @Produces("text/javascript; charset=UTF-8")
    public Response script() {
        return asset(SCRIPT);
    }

    @GET
    @Path("ui/app.css")
    @Produces("text/css; charset=UTF-8")
    public Response style() {
        return asset(STYLE);
    }

    private static Response asset(String body) {
        return Response.ok(body)
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }

    private static String read(String name) {
        try (InputStream in = PageResource.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
