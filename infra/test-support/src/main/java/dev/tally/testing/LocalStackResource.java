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
        LocalStack stack = LocalStack.ephemeral(Path.of("target", "tally-stack"));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "local-stack-stop"));
        addresses = stack.start();
        return addresses;
    }

    @Override
    public void stop() {
        // the stack lives as long as the test JVM: Quarkus restarts between test profiles reuse it
    }
}
