package dev.tally.admin.api;

import dev.tally.admin.console.Pages;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The console's style sheet, read from {@code ui/} on the classpath: a separate file so the Content-Security-Policy
 * can forbid inline style. Open without signing in (the sign-in page uses it); it holds nothing secret.
 */
@Path("/ui")
public class PageResource {
    private static final String STYLE = read("ui/console.css");

    @GET
    @Path("console.css")
    @Produces("text/css; charset=UTF-8")
    public Response style() {
        return Pages.headers(Response.ok(STYLE)).build();
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
