package dev.tally.admin.portal;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;

/**
 * A tenant's accent colour as a stylesheet ({@code /portal-theme/0a7d5a.css}): the portal's CSP allows styles from this
 * origin only, never inline, so the colour comes as a sheet of its own. Holds nothing but the colour in its name.
 */
@Path("/portal-theme")
public class PortalTheme {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{6}");

    @GET
    @Path("/{colour}.css")
    public Response css(@PathParam("colour") String colour) {
        if (!HEX.matcher(colour).matches()) {
            return Response.status(404).type("text/plain").entity("no such theme").build();
        }
        String css = ":root { --accent: #" + colour + "; }\nbody.portal .top { background: #" + colour + "; }\n";
        return Response.ok(css, "text/css; charset=UTF-8").header("Cache-Control", "public, max-age=86400").header("X-Content-Type-Options", "nosniff")
                .build();
    }
}
