package dev.tally.platform.catalog;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the catalog read model has replayed the topic: an ingest that answered before
 * would refuse valid API keys. Only in services built with {@code tally.catalog.view=true}; the
 * bean starts with the application so the replay begins at boot, not at the first request.
 */
@Readiness
@Startup
@ApplicationScoped
@IfBuildProperty(name = "tally.catalog.view", stringValue = "true")
public class CatalogReadiness implements HealthCheck {
    @Inject
    CatalogView view;

    @PostConstruct
    void replayAtBoot() {
        view.loaded(); // the first call on the client proxy creates the view, which starts its consumer
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Catalog read model").status(view.loaded()).build();
    }
}
