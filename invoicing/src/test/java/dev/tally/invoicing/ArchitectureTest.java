package dev.tally.invoicing;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import dev.tally.testing.HouseRules;
import org.junit.jupiter.api.Test;

/** The house rules (infra/test-support's HouseRules, docs/architecture.md) hold for invoicing's main classes. */
class ArchitectureTest {
    private static final JavaClasses MAIN = HouseRules.mainClassesOf("dev.tally.invoicing");

    @Test
    void theHouseRulesHold() {
        for (ArchRule rule : HouseRules.ALL) {
            rule.check(MAIN);
        }
    }
}
