package dev.tally.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.model.messages.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The launcher itself, against real servers: start, topics, restart keeps data, stop leaves nothing. */
class LocalStackTest {

    @Test
    void upAfterDownKeepsDataAndDownLeavesNoProcess() throws Exception {
        Path dir = Path.of("target", "stack-under-test");
        LocalStack stack = LocalStack.ephemeral(dir);
        try {
            LocalStack.Addresses a = stack.start();
            try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.user(), a.password())) {
                c.createStatement().execute("create table survivor (v text)");
                c.createStatement().execute("insert into survivor values ('still here')");
            }
            try (Admin admin = admin(a)) {
                Set<String> names = admin.listTopics().names().get();
                assertThat(names).containsAll(Topics.ALL.stream().map(Topics.Spec::name).collect(Collectors.toSet()));
                TopicDescription events = admin.describeTopics(List.of(Topics.EVENTS_ACCEPTED)).allTopicNames().get().get(Topics.EVENTS_ACCEPTED);
                assertThat(events.partitions()).hasSize(4);
            }
            produce(a, "before-restart");

            stack.stop();
            assertThat(stack.running()).isFalse();
            assertThat(Files.exists(dir.resolve("kafka/kafka.pid"))).isFalse();
            assertThat(Files.exists(dir.resolve("pg/postmaster.pid"))).isFalse();

            LocalStack.Addresses again = stack.start();
            assertThat(again.password()).isEqualTo(a.password());
            try (Connection c = DriverManager.getConnection(again.jdbcUrl(), again.user(), again.password());
                 ResultSet rs = c.createStatement().executeQuery("select v from survivor")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
            assertThat(consumeAll(again)).contains("before-restart");
        } finally {
            stack.stop();
        }
        assertThat(stack.running()).isFalse();
    }

    @Test
    void theDatabasePasswordIsNotInTheAddressesFileForOthers() throws Exception {
        Path dir = Path.of("target", "stack-perm");
        LocalStack stack = LocalStack.ephemeral(dir);
        String password = stack.password();
        assertThat(password).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Files.getPosixFilePermissions(dir.resolve("credentials")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    private static Admin admin(LocalStack.Addresses a) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.kafkaBootstrap());
        return Admin.create(p);
    }

    private static void produce(LocalStack.Addresses a, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(Topics.USAGE_RATED, 0, "k", value)).get();
        }
    }

    private static List<String> consumeAll(LocalStack.Addresses a) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.kafkaBootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(Topics.USAGE_RATED, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.isEmpty() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
            return out;
        }
    }
}
