package dev.tally.infra.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code java dev.tally.infra.local.Main up|down|status|env|kafka-crash|postgres-restart [--fresh]}: the stack half of
 * {@code ./tally}. Settings come from the environment:
 * TALLY_HOME (default {@code .tally}), TALLY_PG_PORT (15432), TALLY_KAFKA_PORT (19092),
 * TALLY_KAFKA_CONTROLLER_PORT (19093).
 */
public final class Main {
    private Main() {
    }

    public static LocalStack fromEnvironment() {
        return new LocalStack(Path.of(env("TALLY_HOME", ".tally")), Integer.parseInt(env("TALLY_PG_PORT", "15432")),
                Integer.parseInt(env("TALLY_KAFKA_PORT", "19092")), Integer.parseInt(env("TALLY_KAFKA_CONTROLLER_PORT", "19093")));
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "status" : argv.get(0);
        LocalStack stack = fromEnvironment();
        try {
            switch (command) {
                case "up" -> {
                    if (argv.contains("--fresh")) {
                        stack.stop();
                        stack.wipe();
                    }
                    LocalStack.Addresses a = stack.start();
                    System.out.println("postgres  " + a.jdbcUrl() + " (user " + a.user() + ", password in " + env("TALLY_HOME", ".tally") + "/credentials)");
                    System.out.println("kafka     " + a.kafkaBootstrap());
                }
                case "down" -> {
                    stack.stop();
                    System.out.println("stack stopped");
                }
                case "status" -> System.out.println(stack.status());
                case "kafka-crash" -> {
                    stack.restartKafka(true, Duration.ofSeconds(3));
                    System.out.println("kafka SIGKILLed and started again");
                }
                case "postgres-restart" -> {
                    stack.restartPostgres(Duration.ofSeconds(3));
                    System.out.println("postgres stopped and started again");
                }
                case "env" -> {
                    for (Map.Entry<String, String> e : stack.addresses(stack.password()).asEnv().entrySet()) {
                        System.out.println(e.getKey() + "=" + e.getValue());
                    }
                }
                default -> {
                    System.err.println("usage: up [--fresh] | down | status | env | kafka-crash | postgres-restart");
                    System.exit(2);
                }
            }
        } catch (IllegalStateException e) {
            System.err.println("tally stack: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
