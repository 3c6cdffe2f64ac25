package dev.tally.infra.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster in {@code <data>/pg}, served on 127.0.0.1 only (no Unix socket), password
 * authentication (SCRAM). Binaries: {@code TALLY_PG_BIN}, else the machine's newest
 * {@code /usr/lib/postgresql/<v>/bin}, else zonky's embedded binaries unpacked from the classpath.
 * PostgreSQL refuses to run as root, so as root the server runs as the {@code postgres} OS user.
 */
final class Postgres {
    private static final String ZONKY_ARCHIVE = "/postgres-linux-x86_64.txz";

    private final Path dataDir;
    private final Path pgData;
    private final Path log;
    private final int port;
    /** An address served besides 127.0.0.1 (a test's own network), or null. */
    private String host;

    Postgres(Path dataDir, int port) {
        this(dataDir, "pg", port);
    }

    /** A cluster in {@code <data>/<name>} (the primary's is {@code pg}; a standby's {@code pg-standby}). */
    Postgres(Path dataDir, String name, int port) {
        this.dataDir = dataDir;
        this.pgData = dataDir.resolve(name);
        this.log = dataDir.resolve(name + "-server.log");
        this.port = port;
    }

    /**
     * Serves {@code address} too (before the cluster starts), with password logins from any address there
     * ({@code pg_hba.conf}; the password is the stack's generated one).
     */
    void host(String address) {
        this.host = address;
    }

    String host() {
        return host == null ? "127.0.0.1" : host;
    }

    int port() {
        return port;
    }

    void start(String password) throws IOException {
        start(password, 0);
    }

    /**
     * Starts the cluster, first made by initdb — or, with a {@code primaryPort}, as a streaming standby of the primary
     * there: a base backup with {@code standby.signal} and its {@code primary_conninfo} ({@code application_name=standby},
     * the name the primary's {@code synchronous_standby_names} waits for).
     */
    void start(String password, int primaryPort) throws IOException {
        if (running()) {
            return;
        }
        Path bin = binaries();
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            if (primaryPort > 0) {
                baseBackup(bin, password, primaryPort);
            } else {
                initdb(bin, password);
            }
        }
        if (Processes.isRoot()) {
            // the server (running as postgres) appends to its log file
            if (!Files.exists(log)) {
                Files.createFile(log);
            }
            Processes.run(List.of("chown", "postgres:", log.toString()), Duration.ofSeconds(10));
        }
        // durability stays at the defaults (fsync, synchronous_commit on, full-page writes); only the
        // checkpoint spacing and buffer pool are raised, as any write-heavy installation would (docs/scaling.md)
        if (host != null) {
            allowPasswordLoginsFromAnywhere();
        }
        String options = "-p " + port + " -c listen_addresses=127.0.0.1" + (host == null ? "" : "," + host)
                + " -c unix_socket_directories= -c max_connections=200"
                + " -c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min";
        List<String> cmd = asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-l",
                log.toString(), "-w", "-t", String.valueOf(LocalStack.timeout().toSeconds()), "-o", options, "start"));
        try {
            Processes.run(cmd, Duration.ofSeconds(LocalStack.timeout().toSeconds() + 10));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n--- " + log + " ---\n" + Processes.tail(log, 30), e);
        }
    }

    private void allowPasswordLoginsFromAnywhere() throws IOException {
        Path hba = pgData.resolve("pg_hba.conf");
        String line = "host all all 0.0.0.0/0 scram-sha-256";
        if (!Files.readString(hba, StandardCharsets.UTF_8).contains(line)) {
            Files.writeString(hba, "\n" + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }

    void stop() {
        if (!Files.exists(pgData.resolve("postmaster.pid"))) {
            return;
        }
        Path bin = binaries();
        Processes.run(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "fast", "-w", "stop")),
                Duration.ofSeconds(60), false);
    }

    /** A crash: {@code pg_ctl stop -m immediate} (no checkpoint; what a killed server leaves, recovered on the next start). */
    void crash() {
        if (!Files.exists(pgData.resolve("postmaster.pid"))) {
            return;
        }
        Processes.run(asServerUser(List.of(binaries().resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "immediate", "-w", "stop")),
                Duration.ofSeconds(60), false);
    }

    /** Promotes a standby to primary ({@code pg_ctl promote}) and waits until it takes writes. */
    void promote() {
        Processes.run(asServerUser(List.of(binaries().resolve("pg_ctl").toString(), "-D", pgData.toString(), "-w", "promote")),
                Duration.ofSeconds(60));
    }

    private void baseBackup(Path bin, String password, int primaryPort) throws IOException {
        if (!Files.isExecutable(bin.resolve("pg_basebackup"))) {
            throw new IllegalStateException("a standby needs pg_basebackup, which " + bin + " lacks (the embedded binaries have none): install "
                    + "Debian's postgresql package or set TALLY_PG_BIN");
        }
        Files.createDirectories(pgData);
        if (Processes.isRoot()) {
            Processes.run(List.of("chown", "-R", "postgres:", pgData.toString()), Duration.ofSeconds(30));
        }
        Processes.run(asServerUser(List.of(bin.resolve("pg_basebackup").toString(), "-D", pgData.toString(), "-R", "-X", "stream", "-c", "fast",
                "-d", "host=127.0.0.1 port=" + primaryPort + " user=" + LocalStack.DB_USER + " application_name=standby")),
                Map.of("PGPASSWORD", password), Duration.ofSeconds(180), true);
        if (Processes.isRoot()) {
            Processes.run(List.of("chmod", "700", pgData.toString()), Duration.ofSeconds(10));
        }
    }

    boolean running() {
        if (!Files.exists(pgData.resolve("postmaster.pid"))) {
            return false;
        }
        Path bin = binaries();
        return Processes.run(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "status")),
                Duration.ofSeconds(10), false) != null;
    }

    private void initdb(Path bin, String password) throws IOException {
        Files.createDirectories(pgData);
        Path pwfile = dataDir.resolve("pg-initdb-password");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        Processes.chmod600(pwfile);
        try {
            if (Processes.isRoot()) {
                Processes.run(List.of("chown", "-R", "postgres:", pgData.toString(), pwfile.toString()), Duration.ofSeconds(30));
            }
            Processes.run(asServerUser(List.of(bin.resolve("initdb").toString(), "-D", pgData.toString(), "-U", LocalStack.DB_USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale")), Duration.ofSeconds(120));
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    private List<String> asServerUser(List<String> command) {
        if (!Processes.isRoot()) {
            return command;
        }
        String gid = Processes.run(List.of("id", "-g", "postgres"), Duration.ofSeconds(10), false);
        if (gid == null) {
            throw new IllegalStateException("running as root, but there is no 'postgres' OS user to run PostgreSQL as "
                    + "(PostgreSQL refuses root). Create one (useradd -r postgres) or run as a normal user.");
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=" + gid.trim(), "--clear-groups"));
        cmd.addAll(command);
        return cmd;
    }

    /** Directory holding initdb, pg_ctl and postgres. */
    Path binaries() {
        String fromEnv = System.getenv("TALLY_PG_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path system = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(system)) {
            try (Stream<Path> versions = Files.list(system)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")) && Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> parseVersion(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return unpackEmbedded();
    }

    private Path unpackEmbedded() {
        Path target = dataDir.resolve("pg-binaries");
        Path bin = target.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try (InputStream in = LocalStack.resource(ZONKY_ARCHIVE)) {
            Files.createDirectories(target);
            Path archive = target.resolve("postgres.txz");
            Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
            Processes.run(List.of("tar", "-xJf", archive.toString(), "-C", target.toString()), Duration.ofSeconds(120));
            Files.delete(archive);
            if (Processes.isRoot()) {
                Processes.run(List.of("chmod", "-R", "a+rX", target.toString()), Duration.ofSeconds(30));
            }
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int parseVersion(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
