package dev.tally.admin.api;

import dev.tally.admin.config.AdminConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.reactive.NoCache;

/** The page's data: every watched service's readiness, probed in parallel, in pipeline order. */
@Path("/api/health")
public class HealthResource {
    private static final List<String> PIPELINE = List.of("ingest", "rating", "invoicing");
    private static final Comparator<String> PIPELINE_ORDER = Comparator
            .comparingInt((String name) -> PIPELINE.contains(name) ? PIPELINE.indexOf(name) : PIPELINE.size())
            .thenComparing(Comparator.naturalOrder());

    @Inject
    AdminConfig config;

    @Inject
    ReadinessProbe probe;

    @GET
    @NoCache
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<HealthReport> health() {
        List<CompletableFuture<HealthReport.Service>> probes = config.services().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(PIPELINE_ORDER))
                .map(e -> probe.probe(e.getKey(), e.getValue()))
                .toList();
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .thenApply(done -> HealthReport.of(probes.stream().map(CompletableFuture::join).toList()));
    }
}
