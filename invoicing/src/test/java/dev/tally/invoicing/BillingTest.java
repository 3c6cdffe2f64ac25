package dev.tally.invoicing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.billing.PeriodCloser;
import dev.tally.platform.kafka.KafkaClients;
import jakarta.inject.Inject;
import javax.sql.DataSource;

/** What the billing tests inject (real Kafka and Postgres of the test stack), and the fixture built on it. */
abstract class BillingTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    DataSource dataSource;
    @Inject
    PeriodCloser closer;

    /** Publishes usage as rating would and reads the tables, on this test's clients. */
    BillingFixture fixture() {
        return new BillingFixture(kafka, json, dataSource);
    }
}
