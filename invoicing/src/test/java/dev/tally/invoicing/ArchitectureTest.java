package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import dev.tally.testing.HouseRules;
import dev.tally.testing.PackageDocs;
import java.nio.file.Path;
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

    @Test
    void everyPackageSaysWhatItOwns() throws Exception {
        assertThat(PackageDocs.undocumentedPackages(Path.of("src/main/java"))).as("packages without a package-info.java").isEmpty();
    }
}
