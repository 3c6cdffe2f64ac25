package dev.tally.infra.local;

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
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * A real PostgreSQL server and a real KRaft Kafka — one node, or three with replication — as child processes, with
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
    private final Postgres postgres;
    /** A synchronous streaming standby of {@link #postgres}, or null. */
    private Postgres standby;
    private final KafkaCluster kafka;
    /** An S3-compatible object store, started only when asked for ({@link #withObjectStorage}); stopped and wiped always. */
    private ObjectStorage objectStorage;
    private boolean startObjectStorage;

    /** A stack with one Kafka node. */
    public LocalStack(Path dataDir, int pgPort, int kafkaPort, int controllerPort) {
        this(dataDir, pgPort, new int[] {kafkaPort}, new int[] {controllerPort});
    }

    /**
     * A stack with {@code kafkaPorts.length} Kafka nodes (1, or 3: a KRaft cluster whose every node is a broker and a
     * voting controller; the platform's topics then have 3 replicas and {@code min.insync.replicas=2}).
     */
    public LocalStack(Path dataDir, int pgPort, int[] kafkaPorts, int[] controllerPorts) {
        this.dataDir = dataDir.toAbsolutePath();
        this.pgPort = pgPort;
        this.postgres = new Postgres(this.dataDir, pgPort);
        this.kafka = new KafkaCluster(this.dataDir, kafkaPorts, controllerPorts);
        this.objectStorage = new ObjectStorage(this.dataDir, 0);
    }

    /**
     * Adds a real S3-compatible object store on {@code port} (S3Proxy, filesystem backend under {@code <data>/s3}) with
     * the buckets {@code tally-archive} and {@code tally-warehouse}: see {@link #storage()}.
     */
    public LocalStack withObjectStorage(int port) {
        this.objectStorage = new ObjectStorage(dataDir, port);
        this.startObjectStorage = true;
        return this;
    }

    /**
     * Where the object store answers, its credentials, and the directory holding its buckets (each object a file at its
     * key). {@code asEnv()} configures a service's S3 client ({@code TALLY_S3_*}).
     */
    public record Storage(String endpoint, String accessKey, String secretKey, Path root) {
        public Map<String, String> asEnv() {
            return Map.of("TALLY_S3_ENDPOINT", endpoint, "TALLY_S3_REGION", "us-east-1", "TALLY_S3_PATH_STYLE", "true",
                    "TALLY_S3_ACCESS_KEY_ID", accessKey, "TALLY_S3_SECRET_ACCESS_KEY", secretKey);
        }
    }

    /** Whether this stack starts an object store ({@link #withObjectStorage}). */
    public boolean hasObjectStorage() {
        return startObjectStorage;
    }

    /** The object store's address (see {@link #withObjectStorage}). */
    public Storage storage() {
        try {
            return objectStorage.address();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds a PostgreSQL standby on {@code port} (in {@code <data>/pg-standby}): streaming from the primary, synchronous
     * ({@code synchronous_standby_names}), so a commit the primary acknowledged is on the standby too. The addresses'
     * JDBC URL then names both hosts; the services connect to whichever is primary ({@code targetServerType=primary}).
     */
    public LocalStack withStandby(int port) {
        this.standby = new Postgres(dataDir, "pg-standby", port);
        return this;
    }

    /**
     * Serves Kafka's client listeners on {@code kafkaHost} (bound and advertised there) and PostgreSQL on {@code pgHost}
     * too, instead of 127.0.0.1 alone — for a test that runs a service in a network namespace of its own and cuts its
     * route to one of them (a network partition). The addresses then name these hosts.
     */
    public LocalStack withHosts(String kafkaHost, String pgHost) {
        kafka.host(kafkaHost);
        postgres.host(pgHost);
        return this;
    }

    /** Node {@code n}'s ports from the first node's: each next node two ports up ({@code 19092/19093}, {@code 19094/19095}, …). */
    public static int[] ports(int first, int nodes) {
        int[] out = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            out[i] = first + 2 * i;
        }
        return out;
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
            if (standby != null) {
                standby.start(password, pgPort);
                awaitSynchronousStandby(password);
            }
            kafka.start();
            kafka.createTopics();
            if (startObjectStorage) {
                objectStorage.start();
            }
            Addresses addresses = addresses(password);
            writeEnv(addresses);
            return addresses;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        objectStorage.stop();
        kafka.stop();
        postgres.stop();
        if (standby != null) {
            standby.stop();
        }
    }

    /**
     * Fault injection: the primary crashes ({@code pg_ctl stop -m immediate}) and the standby is promoted — a failover
     * as a failover manager would make it. Returns how long the standby took to take writes.
     */
    public Duration failOverPostgres() {
        if (standby == null) {
            throw new IllegalStateException("this stack has no PostgreSQL standby");
        }
        postgres.crash();
        long t0 = System.nanoTime();
        standby.promote();
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Waits until the primary reports the standby as its synchronous one. */
    private void awaitSynchronousStandby(String password) {
        String url = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
        long deadline = System.nanoTime() + timeout().toNanos();
        try (Connection c = DriverManager.getConnection(url, DB_USER, password)) {
            c.createStatement().execute("alter system set synchronous_standby_names = 'standby'");
            c.createStatement().execute("select pg_reload_conf()");
            while (System.nanoTime() < deadline) {
                try (var rs = c.createStatement().executeQuery("select 1 from pg_stat_replication where application_name = 'standby' and sync_state = 'sync'")) {
                    if (rs.next()) {
                        return;
                    }
                }
                Processes.sleep(200);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot make the standby synchronous: " + e.getMessage(), e);
        }
        throw new IllegalStateException("the standby did not become synchronous in " + timeout());
    }

    /** Fault injection: stops every Kafka node (SIGTERM, or SIGKILL when {@code crash}), waits {@code down}, starts them again. */
    public void restartKafka(boolean crash, Duration down) throws IOException, InterruptedException {
        kafka.restart(crash, down);
    }

    /** How many Kafka nodes this stack has. */
    public int kafkaNodes() {
        return kafka.size();
    }

    /** The node (1-based) leading {@code partition} of {@code topic} now; -1 while it has none. */
    public int kafkaLeader(String topic, int partition) {
        return kafka.leader(topic, partition);
    }

    /** The Kafka node count a stack in {@code dataDir} was made with (1 when it has none yet). */
    public static int kafkaNodesOf(Path dataDir) {
        return KafkaCluster.nodesOf(dataDir);
    }

    /** Fault injection: SIGKILL of Kafka node {@code node} (1-based); the others go on. */
    public void killKafkaNode(int node) {
        kafka.kill(node);
    }

    /** Starts Kafka node {@code node} again (after {@link #killKafkaNode}) and waits until it answers. */
    public void startKafkaNode(int node) throws IOException {
        kafka.start(node);
    }

    /** Fault injection: stops PostgreSQL (fast shutdown: open transactions are rolled back), waits {@code down}, starts it again. */
    public void restartPostgres(Duration down) throws IOException, InterruptedException {
        postgres.stop();
        Thread.sleep(down.toMillis());
        postgres.start(password());
    }

    public String status() {
        return "postgres " + (postgres.running() ? "running on 127.0.0.1:" + pgPort : "stopped") + kafka.status() + (objectStorage.running() ? "; object storage running" : "");
    }

    public boolean running() {
        return postgres.running() && kafka.running() && (!startObjectStorage || objectStorage.running());
    }

    public Addresses addresses(String password) {
        String hosts = postgres.host() + ":" + pgPort + (standby == null ? "" : "," + standby.host() + ":" + standby.port());
        return new Addresses("jdbc:postgresql://" + hosts + "/" + DATABASE, DB_USER, password, kafka.bootstrap());
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
        Processes.deleteTree(dataDir.resolve("pg-standby"));
        kafka.wipe();
        objectStorage.wipe();
        Processes.deleteTree(dataDir.resolve("credentials"));
        Processes.deleteTree(dataDir.resolve("stack.env"));
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stack on free ports in a fresh directory, stopped when the JVM exits. For tests. */
    public static LocalStack ephemeral(Path dir) {
        return ephemeral(dir, 1);
    }

    /** As {@link #ephemeral(Path)}, with {@code kafkaNodes} Kafka nodes (1 or 3). */
    public static LocalStack ephemeral(Path dir, int kafkaNodes) {
        Processes.deleteTree(dir);
        int[] ports = new int[kafkaNodes];
        int[] controllers = new int[kafkaNodes];
        for (int i = 0; i < kafkaNodes; i++) {
            ports[i] = freePort();
            controllers[i] = freePort();
        }
        return new LocalStack(dir, freePort(), ports, controllers);
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
