package dev.tally.infra.local;

import dev.tally.model.messages.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The local stack's Kafka: one KRaft node, or three (each a broker and a voting controller) with every topic
 * replicated three times and {@code min.insync.replicas=2}. The nodes of a stack share one cluster id, made once and
 * kept with the data ({@code kafka-cluster.id}), and the stack keeps the node count it was made with
 * ({@code kafka-nodes}).
 */
final class KafkaCluster {
    private final Path dataDir;
    private final List<KafkaBroker> brokers = new ArrayList<>();

    KafkaCluster(Path dataDir, int[] ports, int[] controllerPorts) {
        if (ports.length != 1 && ports.length != 3 || controllerPorts.length != ports.length) {
            throw new IllegalArgumentException("a local Kafka has 1 or 3 nodes, each with a port and a controller port");
        }
        this.dataDir = dataDir;
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
        }
        for (int i = 0; i < ports.length; i++) {
            brokers.add(new KafkaBroker(dataDir, i + 1, ports[i], controllerPorts[i], voters.toString(), ports.length));
        }
    }

    /** Every node's client listener on {@code address} instead of 127.0.0.1 (before the nodes start). */
    void host(String address) {
        brokers.forEach(b -> b.host(address));
    }

    int size() {
        return brokers.size();
    }

    /** Starts every node that is not running, together (a node of a cluster is not ready before a quorum is up), and waits for each. */
    void start() throws IOException {
        checkNodes();
        String clusterId = clusterId();
        for (KafkaBroker b : brokers) {
            b.launch(clusterId);
        }
        for (KafkaBroker b : brokers) {
            b.awaitReady();
        }
    }

    void stop() {
        brokers.forEach(KafkaBroker::stop);
    }

    /** Every node stopped (SIGTERM, or SIGKILL when {@code crash}), {@code down} later started again. */
    void restart(boolean crash, Duration down) throws IOException, InterruptedException {
        for (KafkaBroker b : brokers) {
            if (crash) {
                b.kill();
            } else {
                b.stop();
            }
        }
        Thread.sleep(down.toMillis());
        start();
    }

    void kill(int node) {
        brokers.get(node - 1).kill();
    }

    void start(int node) throws IOException {
        brokers.get(node - 1).start(clusterId());
    }

    boolean running() {
        return brokers.stream().allMatch(KafkaBroker::running);
    }

    String status() {
        StringBuilder sb = new StringBuilder();
        for (KafkaBroker b : brokers) {
            sb.append("\nkafka").append(brokers.size() > 1 ? "-" + b.nodeId() + "  " : "    ").append(b.running() ? "running on " + b.host() + ":"
                    + b.port() : "stopped");
        }
        return sb.toString();
    }

    /** Deletes a stopped cluster's data. */
    void wipe() {
        for (String name : List.of("kafka", "kafka-2", "kafka-3", "kafka-nodes", "kafka-cluster.id")) {
            Processes.deleteTree(dataDir.resolve(name));
        }
    }

    /** The cluster id every node is formatted with, made once and kept with the data. */
    String clusterId() throws IOException {
        Path file = dataDir.resolve("kafka-cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = LocalStack.randomClusterId();
        Files.createDirectories(dataDir);
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    /** A stack's Kafka keeps the number of nodes it was made with: another number needs {@code up --fresh}. */
    void checkNodes() throws IOException {
        boolean single = Files.exists(dataDir.resolve("kafka").resolve("data").resolve("meta.properties"))
                && !Files.exists(dataDir.resolve("kafka-2"));
        boolean cluster = Files.exists(dataDir.resolve("kafka-2"));
        if (brokers.size() == 1 && cluster || brokers.size() == 3 && single) {
            throw new IllegalStateException("this stack's Kafka was made with " + (cluster ? 3 : 1) + " node(s), not " + brokers.size()
                    + ": ./tally down, then ./tally up --fresh" + (brokers.size() == 3 ? " --kafka-nodes 3" : ""));
        }
        Files.writeString(dataDir.resolve("kafka-nodes"), brokers.size() + "\n", StandardCharsets.UTF_8);
    }

    /** The Kafka node count a stack in {@code dataDir} was made with (1 when it has none yet). */
    static int nodesOf(Path dataDir) {
        try {
            Path file = dataDir.resolve("kafka-nodes");
            return Files.exists(file) ? Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim()) : 1;
        } catch (IOException | NumberFormatException e) {
            return 1;
        }
    }

    String bootstrap() {
        StringBuilder sb = new StringBuilder();
        for (KafkaBroker b : brokers) {
            sb.append(sb.isEmpty() ? "" : ",").append(b.host()).append(':').append(b.port());
        }
        return sb.toString();
    }

    void createTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        short replicas = (short) brokers.size();
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = new ArrayList<>();
            for (Topics.Spec spec : Topics.ALL) {
                NewTopic topic = new NewTopic(spec.name(), spec.partitions(), replicas);
                Map<String, String> configs = new HashMap<>();
                if (spec.compacted()) {
                    configs.put("cleanup.policy", "compact");
                }
                if (replicas > 1) {
                    configs.put("min.insync.replicas", "2"); // with acks=all: a write waits while two of three are down
                }
                topics.add(topic.configs(configs));
            }
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic creation timed out", e);
        }
    }

    /** The node (1-based) leading {@code partition} of {@code topic} now; -1 while it has none. */
    int leader(String topic, int partition) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (Admin admin = Admin.create(props)) {
            Node leader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().get(partition).leader();
            return leader == null || leader.isEmpty() ? -1 : leader.id();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the leader of " + topic + "-" + partition, e);
        }
    }
}
