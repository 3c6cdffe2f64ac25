package dev.tally.testing;

import dev.tally.infra.local.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a real PostgreSQL and a real Kafka. When the environment names a
 * running stack (TALLY_DB_URL, TALLY_DB_USER, TALLY_DB_PASSWORD, TALLY_KAFKA_BOOTSTRAP — as
 * {@code .ci/run} does) it is reused; otherwise one stack is started per test JVM in
 * {@code target/tally-stack} and stopped when the JVM exits.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {
    private static LocalStack.Addresses addresses;
    private static LocalStack stack;

    /**
     * The stack itself, for tests that inject faults (restart Kafka or PostgreSQL): the one {@code ./tally test}
     * started (its {@code TALLY_HOME} and ports in the environment), else the one this JVM started.
     */
    public static synchronized LocalStack control() {
        addresses();
        if (stack != null) {
            return stack;
        }
        String home = System.getenv("TALLY_HOME");
        if (home == null) {
            throw new IllegalStateException("the stack was started elsewhere and TALLY_HOME is not set");
        }
        stack = new LocalStack(Path.of(home), Integer.parseInt(System.getenv().getOrDefault("TALLY_PG_PORT", "15432")),
                Integer.parseInt(System.getenv().getOrDefault("TALLY_KAFKA_PORT", "19092")),
                Integer.parseInt(System.getenv().getOrDefault("TALLY_KAFKA_CONTROLLER_PORT", "19093")));
        return stack;
    }

    @Override
    public synchronized Map<String, String> start() {
        return addresses().asEnv();
    }

    public static synchronized LocalStack.Addresses addresses() {
        if (addresses != null) {
            return addresses;
        }
        String url = System.getenv("TALLY_DB_URL");
        String bootstrap = System.getenv("TALLY_KAFKA_BOOTSTRAP");
        if (url != null && bootstrap != null) {
            addresses = new LocalStack.Addresses(url, System.getenv().getOrDefault("TALLY_DB_USER", LocalStack.DB_USER),
                    System.getenv().getOrDefault("TALLY_DB_PASSWORD", ""), bootstrap);
            return addresses;
        }
        LocalStack started = LocalStack.ephemeral(Path.of("target", "tally-stack"));
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "local-stack-stop"));
        addresses = started.start();
        stack = started;
        return addresses;
    }

    @Override
    public void stop() {
        // the stack lives as long as the test JVM: Quarkus restarts between test profiles reuse it
    }
}
