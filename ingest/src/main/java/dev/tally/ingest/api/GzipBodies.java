package dev.tally.ingest.api;

import dev.tally.ingest.config.IngestConfig;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Decodes {@code Content-Encoding: gzip} bodies here rather than in the HTTP layer, so that the answers are
 * problem+json: a body that is not valid gzip is a 400 ({@code body-not-gzip}), and one that decodes to more than
 * {@code tally.ingest.max-body-bytes} — a gzip bomb included — is a 413 ({@code body-too-large}) as soon as the
 * limit is passed, without decoding the rest. Other encodings are a 415.
 */
@Provider
public class GzipBodies implements ReaderInterceptor {
    @Inject
    Instance<IngestConfig> config; // looked up per request: providers are built before config mappings

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        String encoding = context.getHeaders().getFirst("Content-Encoding");
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            return context.proceed();
        }
        if (!encoding.trim().equalsIgnoreCase("gzip")) {
            throw new ProblemException(415, "unsupported-encoding", "Unsupported Media Type", "Content-Encoding '" + encoding
                    + "' is not supported; send gzip or no encoding", null, null);
        }
        long limit = config.get().maxBodyBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(context.getInputStream(), 8192)) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > limit) {
                    throw new ProblemException(413, "body-too-large", "Payload too large", "the gzip body decodes to more than " + limit
                            + " bytes, the most one request may carry (split the batch); nothing was stored", null, null);
                }
            }
        } catch (ZipException | EOFException e) {
            throw new ProblemException(400, "body-not-gzip", "Invalid request", "Content-Encoding is gzip but the body is not valid gzip"
                    + (e instanceof EOFException ? " (it ends too early)" : "") + "; nothing was stored", null, null);
        }
        context.setInputStream(new ByteArrayInputStream(out.toByteArray()));
        context.getHeaders().remove("Content-Encoding");
        return context.proceed();
    }
}
