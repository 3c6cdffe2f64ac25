package dev.tally.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.sql.Timestamp;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class PureCoreArchitectureTest {
    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tally.model");

    @Test
    void sharedModelImportsNoFrameworkNoJsonNoJdbc() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "io.quarkus..", "jakarta..", "javax..", "com.fasterxml..", "java.sql..", "org.hibernate..",
                        "org.apache.kafka..", "io.opentelemetry..", "io.smallrye..", "io.vertx..")
                .check(core);
    }

    @Test
    void sharedModelDoesNotReadTheClockOrDoIo() {
        noClasses().should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.io..", "java.net..", "java.nio.file..")
                .check(core);
    }

    @Test
    void theRuleCatchesAFrameworkImport() {
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        Assertions.assertThatThrownBy(() -> noClasses().should().dependOnClassesThat()
                        .resideInAnyPackage("java.sql..").check(offender))
                .isInstanceOf(AssertionError.class);
    }

    static class Offender {
        Timestamp leak;
    }
}
