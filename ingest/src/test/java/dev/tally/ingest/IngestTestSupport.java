package dev.tally.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.ApiKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Puts a tenant, a key and a customer into the catalog topic, as invoicing's relay would. */
final class IngestTestSupport {
    private IngestTestSupport() {
    }

    record Fixture(String tenantId, String key, String keyId, String sha256, String customerId, String customerExternalId) {
    }

    /** Publishes catalog records as invoicing's relay would, and waits until ingest's view has read them. */
    /** The event ids whose dedup keys ingest stored for the tenant, in id order. */
    static List<String> storedIds(DataSource dataSource, String tenantId) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select event_id from event_key where tenant_id = ? order by event_id")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    static void publish(KafkaClients kafka, ObjectMapper json, CatalogView catalog, CatalogRecordV1... records) throws Exception {
        try (Producer<String, String> p = kafka.producer("test-catalog")) {
            for (CatalogRecordV1 r : records) {
                p.send(new ProducerRecord<>(Topics.CATALOG, r.key(), json.writeValueAsString(r))).get();
            }
        }
        if (!catalog.awaitCaughtUp(Duration.ofSeconds(30))) {
            throw new IllegalStateException("catalog view did not catch up");
        }
    }

    static void publishCustomer(KafkaClients kafka, ObjectMapper json, CatalogView catalog, CatalogRecordV1.Customer c) throws Exception {
        publish(kafka, json, catalog, CatalogRecordV1.of(c));
    }

    /** Announces the key's revocation, as invoicing's relay would after DELETE /v1/api-keys/{id}. */
    static void revoke(KafkaClients kafka, ObjectMapper json, CatalogView catalog, Fixture f) throws Exception {
        publish(kafka, json, catalog, CatalogRecordV1.of(new CatalogRecordV1.ApiKey(f.tenantId(), f.keyId(), f.sha256(), "ingest", true)));
    }

    static Fixture tenantWithCustomer(KafkaClients kafka, ObjectMapper json, CatalogView catalog, String scope) throws Exception {
        String tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        ApiKeys.NewKey key = ApiKeys.generate();
        String customerId = "c_" + UUID.randomUUID().toString().substring(0, 8);
        publish(kafka, json, catalog,
                CatalogRecordV1.of(new CatalogRecordV1.ApiKey(tenant, key.keyId(), key.sha256(), scope, false)),
                CatalogRecordV1.of(new CatalogRecordV1.Customer(tenant, customerId, "acme", "USD", null)));
        return new Fixture(tenant, key.key(), key.keyId(), key.sha256(), customerId, "acme");
    }
}
