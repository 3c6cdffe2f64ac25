package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The house rules (HouseRules, PackageDocs; docs/architecture.md) for one service: its {@code ArchitectureTest}
 * extends this and names its root package.
 */
public abstract class ServiceArchitectureTest {
    /** The service's root package, e.g. {@code dev.tally.ingest}. */
    protected abstract String rootPackage();

    @Test
    void theHouseRulesHold() {
        var main = HouseRules.mainClassesOf(rootPackage());
        for (ArchRule rule : HouseRules.ALL) {
            rule.check(main);
        }
    }

    @Test
    void everyPackageSaysWhatItOwns() throws Exception {
        assertThat(PackageDocs.undocumentedPackages(Path.of("src/main/java"))).as("packages without a package-info.java").isEmpty();
    }
}
