package dev.tally.ingest;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What ingest reads and writes with its own {@code ObjectMapper} beyond the platform's messages (infra/platform's
 * {@code NativeReflection}): the event bodies it parses strictly itself, CloudEvents, and a quarantined event's stored
 * JSON. A native image needs them registered; the deploy check's {@code NativeReflectionTest} finds any it misses.
 */
@RegisterForReflection(targets = {
        dev.tally.ingest.api.EventsRequest.class,
        dev.tally.ingest.api.EventsRequest.EventBody.class,
        dev.tally.ingest.api.EventsResource.CloudEvent.class,
        dev.tally.ingest.store.EventStore.QuarantinedEvent.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
