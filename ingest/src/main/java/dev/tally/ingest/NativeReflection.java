package dev.tally.ingest;

import dev.tally.ingest.api.CloudEvents;
import dev.tally.ingest.api.EventsRequest;
import dev.tally.ingest.store.EventStore;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What ingest reads and writes with its own {@code ObjectMapper} beyond the platform's messages (infra/platform's
 * {@code NativeReflection}): the event bodies it parses strictly itself, CloudEvents, and a quarantined event's stored
 * JSON. A native image needs them registered; the deploy check's {@code NativeReflectionTest} finds any it misses.
 */
@RegisterForReflection(targets = {
        EventsRequest.class,
        EventsRequest.EventBody.class,
        CloudEvents.CloudEvent.class,
        EventStore.QuarantinedEvent.class,
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
