package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.tally.testing.planted.api.CleanResource;
import dev.tally.testing.planted.api.PlantedResource;
import dev.tally.testing.planted.store.Impatient;
import dev.tally.testing.planted.store.RogueProducer;
import org.junit.jupiter.api.Test;

/** Each house rule fails on a planted violation and passes on code that keeps it. */
class HouseRulesTest {
    @Test
    void sqlInAResourceIsCaught() {
        JavaClasses planted = new ClassFileImporter().importClasses(PlantedResource.class);
        assertThatThrownBy(() -> HouseRules.NO_SQL_IN_API.check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PlantedResource").hasMessageContaining("prepareStatement");
        assertThatCode(() -> HouseRules.NO_SQL_IN_API.check(new ClassFileImporter().importClasses(CleanResource.class))).doesNotThrowAnyException();
    }

    @Test
    void aWallClockReadIsCaught() {
        JavaClasses planted = new ClassFileImporter().importClasses(Impatient.class);
        assertThatThrownBy(() -> HouseRules.TIME_IS_INJECTED.check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Impatient").hasMessageContaining("Instant.now()");
        assertThatCode(() -> HouseRules.TIME_IS_INJECTED.check(new ClassFileImporter().importClasses(CleanResource.class)))
                .doesNotThrowAnyException();
    }

    @Test
    void aProducerOutsideTheRelayIsCaught() {
        JavaClasses planted = new ClassFileImporter().importClasses(RogueProducer.class);
        assertThatThrownBy(() -> HouseRules.ONLY_THE_RELAY_PRODUCES.check(planted)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("RogueProducer").hasMessageContaining("KafkaProducer");
        assertThatCode(() -> HouseRules.ONLY_THE_RELAY_PRODUCES.check(new ClassFileImporter().importClasses(CleanResource.class)))
                .doesNotThrowAnyException();
    }
}
