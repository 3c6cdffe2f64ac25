package dev.tally.admin.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.admin.api.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every console page shares: who is signed in, the CSRF check, and JSON turned into template data. */
public final class Console {
    static final String USER = "tally.console.user";

    private Console() {
    }

    /** Set by the authentication filter for every signed-in request. */
    public static void signedIn(ContainerRequestContext request, Sessions.Session session) {
        request.setProperty(USER, session);
    }

    public static Sessions.Session user(ContainerRequestContext request) {
        return (Sessions.Session) request.getProperty(USER);
    }

    /**
     * Every console change calls this first: the form's {@code csrf} field must be the session's token (compared in
     * constant time). A Bearer caller (a script) needs none; a Basic one, which a browser replays by itself, may not
     * change anything here.
     */
    public static void requireCsrf(Sessions.Session who, String presented) {
        if (who.bearer) {
            return;
        }
        if (who.csrf == null) {
            throw refused("sign in through the console's form to change things (HTTP Basic is read-only here)");
        }
        if (presented == null || !MessageDigest.isEqual(who.csrf.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            throw refused("the form's CSRF token is missing or wrong; reload the page and try again (nothing was changed)");
        }
    }

    private static WebApplicationException refused(String detail) {
        return new WebApplicationException(Problem.response(Problem.ofSlug("csrf", "Forbidden", 403, detail)));
    }

    /**
     * JSON as template data: objects as maps, arrays as lists, and every number as its exact decimal text (never a
     * double: amounts are shown as the services computed them).
     */
    public static Object data(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            node.properties().forEach(e -> m.put(e.getKey(), data(e.getValue())));
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>(node.size());
            node.forEach(n -> l.add(data(n)));
            return l;
        }
        if (node.isNumber()) {
            return node.isIntegralNumber() ? node.bigIntegerValue().toString() : node.decimalValue().toPlainString();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    /**
     * A form's decimal field, exactly as typed (never a double): null when left empty.
     *
     * @throws NumberFormatException when it is not a decimal number (the page answers 400 on that field)
     */
    public static BigDecimal decimal(String value) {
        return value == null || value.isBlank() ? null : new BigDecimal(value.strip());
    }

    /** A failed service call as the page's error banner: the service's own words, never a stack trace. */
    public static Map<String, Object> error(Backend.Failure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", f.status);
        m.put("detail", f.detail());
        m.put("field", f.field());
        // "lines[0].amount" → "amount": which form field to show the message next to
        m.put("fieldKey", f.field() == null ? null : f.field().substring(f.field().lastIndexOf('.') + 1));
        m.put("title", f.problem.path("title").asText(""));
        return m;
    }

    /** The HTTP status of the failed section {@code name} of a page (see {@link #error}): the page answers with it. */
    static int status(Map<String, Object> errors, String name) {
        return (Integer) ((Map<?, ?>) errors.get(name)).get("status");
    }

    static Response redirect(String location) {
        return Response.seeOther(URI.create(location)).build();
    }
}
