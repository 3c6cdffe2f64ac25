package dev.tally.infra.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code java dev.tally.infra.local.Main up [--fresh] [--kafka-nodes 1|3] [--object-storage]|down|status|env|kafka-crash|kafka-kill
 * <n>|kafka-start <n>|postgres-restart}: the stack half of {@code ./tally}. A stack keeps the Kafka node count it was made with,
 * and its object store once asked for one ({@code <home>/object-storage}). Settings come from the environment: TALLY_HOME
 * (default {@code .tally}), TALLY_PG_PORT (15432), TALLY_KAFKA_PORT (19092), TALLY_KAFKA_CONTROLLER_PORT (19093),
 * TALLY_S3_PORT (19000).
 */
public final class Main {
    private Main() {
    }

    public static LocalStack fromEnvironment() {
        return fromEnvironment(0);
    }

    /** The stack of the environment with {@code kafkaNodes} Kafka nodes (0: as many as the stack was made with, else 1). */
    static LocalStack fromEnvironment(int kafkaNodes) {
        Path home = Path.of(env("TALLY_HOME", ".tally"));
        int nodes = kafkaNodes > 0 ? kafkaNodes : LocalStack.kafkaNodesOf(home);
        LocalStack stack = new LocalStack(home, Integer.parseInt(env("TALLY_PG_PORT", "15432")),
                LocalStack.ports(Integer.parseInt(env("TALLY_KAFKA_PORT", "19092")), nodes),
                LocalStack.ports(Integer.parseInt(env("TALLY_KAFKA_CONTROLLER_PORT", "19093")), nodes));
        return Files.exists(objectStorageMarker()) ? stack.withObjectStorage(s3Port()) : stack;
    }

    /** Present once the stack was asked for an object store: the archive and the warehouse export then live there. */
    private static Path objectStorageMarker() {
        return Path.of(env("TALLY_HOME", ".tally")).resolve("object-storage");
    }

    private static int s3Port() {
        return Integer.parseInt(env("TALLY_S3_PORT", "19000"));
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "status" : argv.get(0);
        int nodes = argv.contains("--kafka-nodes") ? Integer.parseInt(argv.get(argv.indexOf("--kafka-nodes") + 1)) : 0;
        LocalStack stack = fromEnvironment(nodes);
        try {
            switch (command) {
                case "up" -> up(stack, argv);
                case "down" -> {
                    stack.stop();
                    System.out.println("stack stopped");
                }
                case "status" -> System.out.println(stack.status());
                case "kafka-kill" -> {
                    int node = Integer.parseInt(argv.get(1));
                    stack.killKafkaNode(node);
                    System.out.println("kafka node " + node + " SIGKILLed");
                }
                case "kafka-start" -> {
                    int node = Integer.parseInt(argv.get(1));
                    stack.startKafkaNode(node);
                    System.out.println("kafka node " + node + " started");
                }
                case "kafka-leader" -> System.out.println(stack.kafkaLeader("tally.events.accepted", 0));
                case "kafka-crash" -> {
                    stack.restartKafka(true, Duration.ofSeconds(3));
                    System.out.println("kafka SIGKILLed and started again");
                }
                case "postgres-restart" -> {
                    stack.restartPostgres(Duration.ofSeconds(3));
                    System.out.println("postgres stopped and started again");
                }
                case "env" -> env(stack);
                default -> {
                    System.err.println("usage: up [--fresh] [--kafka-nodes 1|3] [--object-storage] | down | status | env | kafka-crash | kafka-kill <node> | kafka-start <node> | kafka-leader"
                            + " | postgres-restart");
                    System.exit(2);
                }
            }
        } catch (IllegalStateException e) {
            System.err.println("tally stack: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void up(LocalStack stack, List<String> argv) throws IOException {
        if (argv.contains("--fresh")) {
            stack.stop();
            stack.wipe();
        }
        if (argv.contains("--object-storage") && !stack.hasObjectStorage()) {
            Files.createDirectories(objectStorageMarker().getParent());
            Files.writeString(objectStorageMarker(), "s3 on port " + s3Port() + "\n");
            stack.withObjectStorage(s3Port());
        }
        LocalStack.Addresses a = stack.start();
        System.out.println("postgres  " + a.jdbcUrl() + " (user " + a.user() + ", password in " + env("TALLY_HOME", ".tally") + "/credentials)");
        System.out.println("kafka     " + a.kafkaBootstrap());
        if (stack.hasObjectStorage()) {
            System.out.println("s3        " + stack.storage().endpoint() + " (S3Proxy; buckets " + String.join(", ", ObjectStorage.BUCKETS)
                    + "; access key " + ObjectStorage.ACCESS_KEY + ", secret in " + env("TALLY_HOME", ".tally") + "/s3-credentials)");
        }
    }

    /** The services' settings for this stack (its addresses and credentials), one {@code NAME=value} a line. */
    private static void env(LocalStack stack) throws IOException {
        Map<String, String> env = new TreeMap<>(stack.addresses(stack.password()).asEnv());
        if (stack.hasObjectStorage()) {
            env.putAll(stack.storage().asEnv());
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            System.out.println(e.getKey() + "=" + e.getValue());
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
