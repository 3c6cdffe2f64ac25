package dev.tally.infra.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One KRaft Kafka node (broker + controller) in a child JVM, with its log dirs in {@code <data>/kafka} (node 1) or
 * {@code <data>/kafka-<n>}: alone, or one of the voters of a cluster of three. Started in its own session
 * ({@code setsid}) so that a Ctrl-C aimed at the launcher does not take it down half-way; {@link #stop()} ends it
 * through its pid file.
 */
final class KafkaBroker {
    private final Path dir;
    private final Path logFile;
    private final Path pidFile;
    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final String voters;
    private final int clusterSize;
    /** The address the broker's client listener binds and advertises (127.0.0.1 unless a test's network needs another). */
    private String host = "127.0.0.1";
    private Process launched;

    /**
     * @param voters      {@code id@host:port,…} of every controller of the cluster (this node's included)
     * @param clusterSize how many nodes the cluster has: internal topics get that many replicas (at most 3)
     */
    KafkaBroker(Path dataDir, int nodeId, int port, int controllerPort, String voters, int clusterSize) {
        this.dir = dataDir.resolve(nodeId == 1 ? "kafka" : "kafka-" + nodeId);
        this.logFile = dataDir.resolve("logs").resolve(nodeId == 1 ? "kafka.log" : "kafka-" + nodeId + ".log");
        this.pidFile = dir.resolve("kafka.pid");
        this.nodeId = nodeId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.voters = voters;
        this.clusterSize = clusterSize;
    }

    int nodeId() {
        return nodeId;
    }

    String host() {
        return host;
    }

    /** Binds and advertises the client listener on {@code address} (before the node starts; the controller listener stays on 127.0.0.1). */
    void host(String address) {
        this.host = address;
    }

    int port() {
        return port;
    }

    /** Starts the node and waits until it answers (a node of a cluster answers once a quorum of voters is up). */
    void start(String clusterId) throws IOException {
        launch(clusterId);
        awaitReady();
    }

    /** Starts the node's process without waiting (the nodes of a cluster start together: none is ready alone). */
    void launch(String clusterId) throws IOException {
        if (running()) {
            return;
        }
        Files.createDirectories(dir);
        Files.createDirectories(logFile.getParent());
        Path config = writeConfig();
        Path log4j = dir.resolve("log4j2.properties");
        try (InputStream in = LocalStack.resource("kafka-log4j2.properties")) {
            Files.copy(in, log4j, StandardCopyOption.REPLACE_EXISTING);
        }
        String classpath = classpath();
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            List<String> format = java(classpath, log4j);
            format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
            Processes.run(format, Duration.ofSeconds(120));
        }
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(java(classpath, log4j));
        cmd.addAll(List.of("-Xms256m", clusterSize > 1 ? "-Xmx512m" : "-Xmx768m", "kafka.Kafka", config.toString()));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        process.getOutputStream().close();
        Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
        launched = process;
    }

    void stop() {
        Optional<ProcessHandle> handle = process();
        if (handle.isEmpty()) {
            return;
        }
        ProcessHandle p = handle.get();
        p.destroy(); // SIGTERM: the broker shuts down cleanly and flushes its logs
        try {
            p.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // the pid is dead either way
        }
    }

    /** A crash: SIGKILL, no clean shutdown (the broker recovers its logs on the next start). */
    void kill() {
        process().ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // it is gone or going
            }
        });
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // the pid is dead either way
        }
    }

    boolean running() {
        return process().isPresent();
    }

    private Optional<ProcessHandle> process() {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> isBroker(h.pid()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Guards against a recycled pid: the process must be a broker JVM. */
    private static boolean isBroker(long pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains("kafka.Kafka");
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the node answers, or fails with its log's tail when it exits or does not answer in time. */
    void awaitReady() {
        Process process = launched;
        long deadline = System.nanoTime() + LocalStack.timeout().toNanos();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, host + ":" + port);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("Kafka exited during start (exit " + process.exitValue() + ")\n--- " + logFile
                        + " ---\n" + Processes.tail(logFile, 40));
            }
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                Processes.sleep(300);
            }
        }
        throw new IllegalStateException("Kafka did not become ready in " + LocalStack.timeout() + "\n" + Processes.tail(logFile, 40));
    }

    private Path writeConfig() throws IOException {
        int replicas = Math.min(3, clusterSize);
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=" + replicas,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + Math.min(2, replicas),
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + Math.min(2, replicas),
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + Math.min(2, replicas),
                "unclean.leader.election.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                // retention is checked every 5 s (Kafka: 5 min), so a topic whose retention is shortened loses its records promptly
                "log.retention.check.interval.ms=5000",
                "");
        Path file = dir.resolve("server.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> java(String classpath, Path log4j) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-cp", classpath, "-Dlog4j2.configurationFile=" + log4j,
                "-Djava.awt.headless=true"));
    }

    private static String classpath() throws IOException {
        try (InputStream in = LocalStack.resource("stack.classpath")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
