package dev.tally.testing.planted.store;

import java.time.Instant;

/** A planted violation: reads the wall clock instead of the injected Clock. */
public class Impatient {
    public Instant deadline() {
        return Instant.now().plusSeconds(60);
    }
}
