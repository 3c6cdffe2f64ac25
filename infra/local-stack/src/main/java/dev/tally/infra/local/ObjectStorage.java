package dev.tally.infra.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible object store: S3Proxy (the S3 API over Apache jclouds) with its filesystem backend, in a child
 * JVM of its own ({@code infra/s3-server} records its classpath, kept apart from the broker's). Each bucket is a
 * directory under {@code <data>/s3}, each object a file at its key, so a test can look at what is stored. Requests are
 * signed (AWS signature v2 or v4) with a generated key kept with the data ({@code s3-credentials}, mode 600). Started by
 * {@link LocalStack#withObjectStorage}, or alone by a test.
 */
public final class ObjectStorage {
    /** The buckets the local stack creates: the event archive's and the warehouse export's. */
    static final List<String> BUCKETS = List.of("tally-archive", "tally-warehouse");
    static final String ACCESS_KEY = "tally";

    private final Path dataDir;
    private final Path root;
    private final Path pidFile;
    private final Path logFile;
    private final int port;

    /** {@code port}: where it listens once started (any value for one that is only stopped or wiped). */
    public ObjectStorage(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.root = dataDir.resolve("s3");
        this.pidFile = dataDir.resolve("s3.pid");
        this.logFile = dataDir.resolve("logs").resolve("s3.log");
        this.port = port;
    }

    public LocalStack.Storage address() throws IOException {
        return new LocalStack.Storage("http://127.0.0.1:" + port, ACCESS_KEY, secret(), root);
    }

    /** Starts the server (unless it runs) with {@link #BUCKETS} made, and waits until it answers. */
    public void start() throws IOException {
        for (String b : BUCKETS) {
            Files.createDirectories(root.resolve(b));
        }
        if (running()) {
            return;
        }
        Files.createDirectories(logFile.getParent());
        Path config = dataDir.resolve("s3proxy.properties");
        String props = String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port, "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + secret(), "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + root, "");
        Files.writeString(config, props, StandardCharsets.UTF_8);
        Processes.chmod600(config);
        String classpath;
        try (InputStream in = LocalStack.resource("/dev/tally/infra/s3/s3proxy.classpath")) {
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        List<String> cmd = new ArrayList<>(List.of("setsid", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, "org.gaul.s3proxy.Main", "--properties", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        p.getOutputStream().close();
        Files.writeString(pidFile, Long.toString(p.pid()), StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + LocalStack.timeout().toNanos();
        while (!answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("S3Proxy did not start on port " + port + ":\n" + Processes.tail(logFile, 30));
            }
            Processes.sleep(100);
        }
    }

    /** Whether it answers HTTP (an unsigned request gets 403: the server is up). */
    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code > 0;
        } catch (IOException e) {
            return false;
        }
    }

    public void stop() {
        process().ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // the pid is dead either way
        }
    }

    public boolean running() {
        return process().isPresent();
    }

    private Optional<ProcessHandle> process() {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The generated secret key; created on first start and kept with the data. */
    private String secret() throws IOException {
        Path file = dataDir.resolve("s3-credentials");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        Files.createDirectories(dataDir);
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        Processes.chmod600(file);
        return secret;
    }

    void wipe() {
        Processes.deleteTree(root);
        Processes.deleteTree(dataDir.resolve("s3-credentials"));
        Processes.deleteTree(dataDir.resolve("s3proxy.properties"));
    }
}
