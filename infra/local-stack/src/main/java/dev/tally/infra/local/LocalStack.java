package dev.tally.infra.local;

import dev.tally.model.messages.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real PostgreSQL server and a real single-node KRaft Kafka broker, both as child processes, with
 * their data under one directory. Used by {@code ./tally} (detached: the processes outlive the
 * launcher and {@code down} stops them) and by tests (attached: stopped when the test JVM exits).
 *
 * <p>Layout of the data directory: {@code pg/} (cluster), {@code kafka/} (log dirs and config),
 * {@code logs/}, {@code credentials} (generated database password, mode 600) and {@code stack.env}
 * (the addresses, written once both servers answer).
 */
public final class LocalStack {
    public static final String DATABASE = "tally";
    public static final String DB_USER = "tally";

    private final Path dataDir;
    private final int pgPort;
    private final int kafkaPort;
    private final int controllerPort;
    private final Postgres postgres;
    private final KafkaBroker kafka;

    public LocalStack(Path dataDir, int pgPort, int kafkaPort, int controllerPort) {
        this.dataDir = dataDir.toAbsolutePath();
        this.pgPort = pgPort;
        this.kafkaPort = kafkaPort;
        this.controllerPort = controllerPort;
        this.postgres = new Postgres(this.dataDir, pgPort);
        this.kafka = new KafkaBroker(this.dataDir, kafkaPort, controllerPort);
    }

    /** Where a running stack can be reached. */
    public record Addresses(String jdbcUrl, String user, String password, String kafkaBootstrap) {
        public Map<String, String> asEnv() {
            return Map.of("TALLY_DB_URL", jdbcUrl, "TALLY_DB_USER", user, "TALLY_DB_PASSWORD", password,
                    "TALLY_KAFKA_BOOTSTRAP", kafkaBootstrap);
        }
    }

    /** Starts whatever is not running yet, creates the database and the topics, and returns the addresses. */
    public Addresses start() {
        try {
            Files.createDirectories(dataDir.resolve("logs"));
            String password = password();
            postgres.start(password);
            createDatabase(password);
            kafka.start();
            createTopics();
            Addresses addresses = addresses(password);
            writeEnv(addresses);
            return addresses;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        kafka.stop();
        postgres.stop();
    }

    /** Fault injection: stops the Kafka broker (SIGTERM, or SIGKILL when {@code crash}), waits {@code down}, starts it again. */
    public void restartKafka(boolean crash, Duration down) throws IOException, InterruptedException {
        if (crash) {
            kafka.kill();
        } else {
            kafka.stop();
        }
        Thread.sleep(down.toMillis());
        kafka.start();
    }

    /** Fault injection: stops PostgreSQL (fast shutdown: open transactions are rolled back), waits {@code down}, starts it again. */
    public void restartPostgres(Duration down) throws IOException, InterruptedException {
        postgres.stop();
        Thread.sleep(down.toMillis());
        postgres.start(password());
    }

    public String status() {
        return "postgres " + (postgres.running() ? "running on 127.0.0.1:" + pgPort : "stopped")
                + "\nkafka    " + (kafka.running() ? "running on 127.0.0.1:" + kafkaPort : "stopped");
    }

    public boolean running() {
        return postgres.running() && kafka.running();
    }

    public Addresses addresses(String password) {
        return new Addresses("jdbc:postgresql://127.0.0.1:" + pgPort + "/" + DATABASE, DB_USER, password,
                "127.0.0.1:" + kafkaPort);
    }

    /** The generated database password; created on first start and kept with the data. */
    public String password() throws IOException {
        Path file = dataDir.resolve("credentials");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        String password = HexFormat.of().formatHex(bytes);
        Files.createDirectories(dataDir);
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        Processes.chmod600(file);
        return password;
    }

    private void createDatabase(String password) {
        String url = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
        try (Connection c = DriverManager.getConnection(url, DB_USER, password)) {
            boolean exists;
            try (var rs = c.createStatement().executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                c.createStatement().execute("create database " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    private void createTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = new ArrayList<>();
            for (Topics.Spec spec : Topics.ALL) {
                NewTopic topic = new NewTopic(spec.name(), spec.partitions(), (short) 1);
                if (spec.compacted()) {
                    topic.configs(Map.of("cleanup.policy", "compact"));
                }
                topics.add(topic);
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

    private void writeEnv(Addresses addresses) throws IOException {
        StringBuilder sb = new StringBuilder();
        addresses.asEnv().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
        Path file = dataDir.resolve("stack.env");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        Processes.chmod600(file);
    }

    /** Deletes a stopped stack's data. */
    public void wipe() {
        if (running()) {
            throw new IllegalStateException("stop the stack before wiping its data");
        }
        Processes.deleteTree(dataDir.resolve("pg"));
        Processes.deleteTree(dataDir.resolve("kafka"));
        Processes.deleteTree(dataDir.resolve("credentials"));
        Processes.deleteTree(dataDir.resolve("stack.env"));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stack on free ports in a fresh directory, stopped when the JVM exits. For tests. */
    public static LocalStack ephemeral(Path dir) {
        Processes.deleteTree(dir);
        return new LocalStack(dir, freePort(), freePort(), freePort());
    }

    static String randomClusterId() {
        // Kafka reads a leading '-' as an option, so draw again until it doesn't start with one
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer buf = ByteBuffer.allocate(16);
            buf.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    static InputStream resource(String name) {
        InputStream in = LocalStack.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing resource " + name + " (build infra/local-stack first)");
        }
        return in;
    }

    static Duration timeout() {
        return Duration.ofSeconds(Long.getLong("tally.stack.timeout.seconds", 120));
    }
}
