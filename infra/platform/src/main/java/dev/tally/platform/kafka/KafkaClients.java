package dev.tally.platform.kafka;

import dev.tally.platform.config.PlatformConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Producers and consumers with Tally's defaults. Only relays produce; only adapters consume. */
@ApplicationScoped
public class KafkaClients {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    /** PLAINTEXT locally; SSL or SASL_SSL to a managed Kafka (the SASL settings below count only then). */
    @ConfigProperty(name = "kafka.security.protocol", defaultValue = "PLAINTEXT")
    String securityProtocol;
    @ConfigProperty(name = "kafka.sasl.mechanism", defaultValue = "SCRAM-SHA-512")
    String saslMechanism;
    @ConfigProperty(name = "kafka.sasl.jaas.config", defaultValue = "")
    String saslJaasConfig;
    @ConfigProperty(name = "quarkus.application.name")
    String application;
    @Inject
    PlatformConfig config;

    /** Idempotent, acks=all: a retried send never duplicates inside one producer session. */
    public Producer<String, String> producer(String purpose) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        security(p);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, application + "-" + purpose);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(config.kafka().producer().batchSize()));
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, Integer.toString(config.kafka().metadataMaxAgeMs()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * A consumer that never commits to Kafka by itself: the services that need exactly-once keep
     * their offsets in Postgres, in the transaction that applies the records.
     */
    public KafkaConsumer<String, String> consumer(String groupId, String purpose) {
        return consumer(groupId, purpose, Map.of());
    }

    /** As {@link #consumer(String, String)}, with consumer settings of its own ({@code overrides}: a bulk reader's poll and fetch sizes). */
    public KafkaConsumer<String, String> consumer(String groupId, String purpose, Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        security(p);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, application + "-" + purpose);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.kafka().maxPollRecords()));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(config.kafka().sessionTimeoutMs()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(Math.max(1000, config.kafka().sessionTimeoutMs() / 3)));
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, Integer.toString(config.kafka().metadataMaxAgeMs()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(overrides);
        return new KafkaConsumer<>(p);
    }

    /** The connection's security (the same for every client of the service, and for Quarkus' Kafka health check). */
    public void security(Properties p) {
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        if (securityProtocol.startsWith("SASL_")) {
            p.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
            p.put(SaslConfigs.SASL_JAAS_CONFIG, saslJaasConfig);
        }
    }

    public String bootstrap() {
        return bootstrap;
    }
}
