package dev.tally.rating;

import dev.tally.testing.ServiceArchitectureTest;

/** The house rules (infra/test-support's HouseRules, docs/architecture.md) hold for rating. */
class ArchitectureTest extends ServiceArchitectureTest {
    @Override
    protected String rootPackage() {
        return "dev.tally.rating";
    }
}
