package dev.tally.admin.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

@ConfigMapping(prefix = "tally.admin")
public interface AdminConfig {
    /** The operator token; required, never logged. */
    String token();

    /** Base URL of each watched service by name; its readiness is read at {@code <url>/q/health/ready}. */
    Map<String, URI> services();

    /** Connect and answer timeout of one readiness probe. */
    @WithDefault("PT2S")
    Duration probeTimeout();
}
