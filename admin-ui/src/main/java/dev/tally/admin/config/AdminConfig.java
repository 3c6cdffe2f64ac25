package dev.tally.admin.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "tally.admin")
public interface AdminConfig {
    /** The operator token; required, never logged. */
    String token();

    /** Base URL of each service by name (ingest, rating, invoicing); the console calls their REST APIs there. */
    Map<String, URI> services();

    /** Connect and answer timeout of one readiness probe. */
    @WithDefault("PT2S")
    Duration probeTimeout();

    /** Answer timeout of one console call to a service's API. */
    @WithDefault("PT10S")
    Duration apiTimeout();

    Session session();

    interface Session {
        /** A session with no request for this long ends. */
        @WithDefault("PT30M")
        Duration idleTimeout();

        /** A session ends this long after sign-in, however active. */
        @WithDefault("PT12H")
        Duration maxAge();

        /**
         * The session cookie's {@code Secure} flag: unset, it is set when the request came over TLS (directly or, per
         * {@code X-Forwarded-Proto}, through the Ingress).
         */
        Optional<Boolean> secureCookie();
    }
}
