package dev.tally.system;

import dev.tally.testing.LocalStackResource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One packaged service ({@code target/quarkus-app/quarkus-run.jar}) running as a child process. */
final class ServiceProcess {
    /** The keys invoicing encrypts Stripe keys and webhook secrets with, one per test run (docs/operations.md). */
    private static final String SECRETS_KEYS = "it:" + Base64.getEncoder().encodeToString(randomBytes(32));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Path jar;
    private final Path log;
    private final Map<String, String> env;
    private Process process;
    /** The network namespace the service runs in ({@link NetworkNamespace}), or null: the machine's own. */
    private String namespace;
    private String host = "127.0.0.1";

    ServiceProcess(String name, Map<String, String> env) {
        this.name = name;
        this.port = freePort();
        Path root = Path.of(System.getProperty("tally.root", "../.."));
        this.jar = root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        this.log = Path.of("target", "system-" + name + ".log");
        this.env = new HashMap<>(env);
        this.env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // every service of this test run shares the database, so they share the keys its secrets are sealed with
        this.env.putIfAbsent("TALLY_SECRETS_KEYS", SECRETS_KEYS);
        // invoicing's event archive: every invoicing of the shared test stack shares one (a stack of its own: OwnPlatform)
        this.env.putIfAbsent("TALLY_ARCHIVE_DIR", Path.of("target", "archive").toAbsolutePath().toString());
        this.env.putIfAbsent("TALLY_WAREHOUSE_DIR", Path.of("target", "warehouse").toAbsolutePath().toString());
    }

    /** The environment every service of a system test shares: the test stack's addresses, the operator token, no telemetry. */
    static Map<String, String> platformEnv(String operatorToken) {
        Map<String, String> env = new HashMap<>(LocalStackResource.addresses().asEnv());
        env.put("TALLY_ADMIN_TOKEN", operatorToken);
        env.put("TALLY_OTEL_SDK_DISABLED", "true");
        return env;
    }

    /** The environment of an admin-ui that calls these three services. */
    static Map<String, String> consoleEnv(Map<String, String> env, ServiceProcess ingest, ServiceProcess rating, ServiceProcess invoicing) {
        Map<String, String> ui = new HashMap<>(env);
        ui.put("TALLY_INGEST_URL", ingest.url());
        ui.put("TALLY_RATING_URL", rating.url());
        ui.put("TALLY_INVOICING_URL", invoicing.url());
        return ui;
    }

    /** One more environment variable, before the process starts (e.g. another service's URL, known once that one has its port). */
    ServiceProcess with(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the service in network namespace {@code ns} ({@code ip netns exec}), reached at {@code address} there. */
    ServiceProcess inNamespace(String ns, String address) {
        this.namespace = ns;
        this.host = address;
        return this;
    }

    String url() {
        return "http://" + host + ":" + port;
    }

    ServiceProcess start() throws IOException, InterruptedException {
        launch();
        awaitHealthy();
        return this;
    }

    /** Starts the process without waiting for it to be ready. */
    ServiceProcess launch() throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (mvn install)");
        }
        Files.createDirectories(log.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace)); // it execs java: one pid
        cmd.addAll(List.of(java, "-Xmx384m", "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        return this;
    }

    /** The process's thread dump (jcmd), for a test's failure message. */
    String threadDump() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(process.pid()),
                    "Thread.print").redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "no thread dump: " + e.getMessage();
        }
    }

    /** SIGKILL: no shutdown hooks, no flush, no goodbye — a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Waits until the process exits on its own (a crash point), and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + timeout + "; see " + log.toAbsolutePath());
        }
        return process.exitValue();
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private void awaitHealthy() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " did not become healthy; see " + log.toAbsolutePath());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The secrets-at-rest keys this run's services were given (a test checks no log holds them). */
    static String secretsKeys() {
        return SECRETS_KEYS;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
