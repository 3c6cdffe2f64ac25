package dev.tally.platform.kafka;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/** Starts every {@link ConsumerWorker} of the service that is {@link ConsumerWorker#enabled()} with it, and stops them all with it. */
@ApplicationScoped
public class ConsumerLifecycle {
    @Inject
    Instance<ConsumerWorker> consumers;

    void onStart(@Observes StartupEvent e) {
        for (ConsumerWorker c : consumers) {
            if (c.enabled()) {
                c.start();
            }
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        for (ConsumerWorker c : consumers) {
            c.stop();
        }
    }
}
