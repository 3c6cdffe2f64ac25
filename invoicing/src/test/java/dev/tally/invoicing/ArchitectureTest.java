package dev.tally.invoicing;

import dev.tally.testing.ServiceArchitectureTest;

/** The house rules (infra/test-support's HouseRules, docs/architecture.md) hold for invoicing. */
class ArchitectureTest extends ServiceArchitectureTest {
    @Override
    protected String rootPackage() {
        return "dev.tally.invoicing";
    }
}
