package dev.tally.platform.time;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The one clock of a service: every "now" is {@code clock.instant()} of this bean (the house rules refuse
 * {@code Instant.now()} and friends elsewhere), so time can be fixed or moved in a test by replacing it.
 */
public class Clocks {
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
