package dev.tally.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own ({@code ip netns}, Debian's iproute2; needs root), joined to the machine's own
 * namespace by a veth pair, for a network partition between a service and Kafka or PostgreSQL. The service runs inside
 * ({@link ServiceProcess#inNamespace}) at {@link #SERVICE_HOST}; Kafka and PostgreSQL listen on addresses of their own
 * ({@link #KAFKA_HOST}, {@link #POSTGRES_HOST}, put on the machine's loopback), which the namespace reaches through the
 * veth pair. {@link #cut} replaces the namespace's route to one of them by a blackhole route: from then on every packet
 * the service sends there is dropped — new connections fail, open ones stall — while the other stays reachable, the
 * test still reaches the service, and every other service (outside) still reaches both. {@link #heal} puts the route
 * back.
 */
final class NetworkNamespace implements AutoCloseable {
    static final String SERVICE_HOST = "10.231.7.2";
    static final String KAFKA_HOST = "10.231.8.1";
    static final String POSTGRES_HOST = "10.231.8.2";
    private static final String GATEWAY = "10.231.7.1";
    private static final String OUTSIDE = "tly-part0";
    private static final String INSIDE = "tly-part1";

    final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** Makes the namespace {@code name} (removing one left by an earlier run), its veth pair, addresses and routes. */
    static NetworkNamespace create(String name) throws IOException, InterruptedException {
        NetworkNamespace ns = new NetworkNamespace(name);
        ns.remove();
        ip("netns", "add", name);
        ip("link", "add", OUTSIDE, "type", "veth", "peer", "name", INSIDE);
        ip("link", "set", INSIDE, "netns", name);
        ip("addr", "add", GATEWAY + "/30", "dev", OUTSIDE);
        ip("link", "set", OUTSIDE, "up");
        ip("addr", "add", KAFKA_HOST + "/32", "dev", "lo");
        ip("addr", "add", POSTGRES_HOST + "/32", "dev", "lo");
        ip("-n", name, "link", "set", "lo", "up");
        ip("-n", name, "addr", "add", SERVICE_HOST + "/30", "dev", INSIDE);
        ip("-n", name, "link", "set", INSIDE, "up");
        ns.heal(KAFKA_HOST);
        ns.heal(POSTGRES_HOST);
        return ns;
    }

    /** From now on the namespace drops every packet to {@code host}. */
    void cut(String host) throws IOException, InterruptedException {
        ip("-n", name, "route", "replace", "blackhole", host + "/32");
    }

    /** The namespace reaches {@code host} again. */
    void heal(String host) throws IOException, InterruptedException {
        ip("-n", name, "route", "replace", host + "/32", "via", GATEWAY);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        remove();
    }

    private void remove() throws IOException, InterruptedException {
        run(false, "ip", "netns", "del", name);
        run(false, "ip", "link", "del", OUTSIDE);
        run(false, "ip", "addr", "del", KAFKA_HOST + "/32", "dev", "lo");
        run(false, "ip", "addr", "del", POSTGRES_HOST + "/32", "dev", "lo");
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        run(true, cmd.toArray(String[]::new));
    }

    private static void run(boolean check, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
        }
        if (check && p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out.trim()
                    + " — a network partition test needs root and iproute2 (ip netns)");
        }
    }
}
