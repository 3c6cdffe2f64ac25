package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ingest.intake.QuarantineReason;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.testing.CheckConstraints;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** A closed set is a type, and the database's check constraint holds exactly its values. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ClosedSetsTest {
    @Inject
    DataSource dataSource;

    @Test
    void quarantineReasonsAndCorrectionKindsAreWhatTheDatabaseAllows() throws Exception {
        assertThat(allowed("quarantine", "reason")).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(QuarantineReason.values()).map(QuarantineReason::wire).toList());
        assertThat(allowed("event_correction", "kind")).containsExactlyInAnyOrder(EventCorrectionV1.RETRACT, EventCorrectionV1.AMEND);
    }

    private List<String> allowed(String table, String column) throws Exception {
        return CheckConstraints.allowed(dataSource, table, column);
    }
}
