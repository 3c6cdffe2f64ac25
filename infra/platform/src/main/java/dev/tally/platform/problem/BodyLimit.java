package dev.tally.platform.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body declared bigger than {@code quarkus.http.limits.max-body-size} is refused with a 413
 * problem+json before a byte of it is read. Quarkus's own check (route order -2) answers an empty
 * 413; this route runs just before it. A chunked body without a length that outgrows the limit is
 * still cut off by Quarkus while being read.
 */
@ApplicationScoped
public class BodyLimit {
    /** Just before Quarkus's upload-limit route (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT = -2). */
    static final int ORDER = -3;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;
    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        long limit = maxBodySize.get().asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            String declared = ctx.request().getHeader("Content-Length");
            long length;
            try {
                length = declared == null ? -1 : Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1; // Vert.x itself rejects a malformed length
            }
            if (length <= limit) {
                ctx.next();
                return;
            }
            Problem p = new Problem(Problem.TYPE_PREFIX + "body-too-large", "Payload too large", 413, "the body is declared as " + length
                    + " bytes; this endpoint reads at most " + limit + " (split the batch); nothing was read or stored", null, null);
            String body;
            try {
                body = json.writeValueAsString(p);
            } catch (Exception e) {
                body = "{\"status\":413}";
            }
            ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE).putHeader("Connection", "close").end(body);
        });
    }
}
