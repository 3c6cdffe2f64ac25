package dev.tally.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A native image keeps only the reflection it is told about, and Jackson reads and writes Tally's records by reflection.
 * Quarkus registers the types of REST methods by itself, not what a service binds with its own {@code ObjectMapper} —
 * the Kafka messages above all. So: every message of {@code dev.tally.model.messages} and every model type reachable
 * from one (record components, sealed subtypes, type arguments) is registered by the platform's
 * {@code NativeReflection}, and every class a service's code hands to {@code readValue}/{@code convertValue}/
 * {@code treeToValue}/{@code readerFor}, or serializes as a {@code new X(…)}, is registered by the platform's or the
 * service's. A new message record that nobody registered fails here, not in production.
 */
class NativeReflectionTest {
    static final Path ROOT = HelmChartTest.ROOT;
    private static final Pattern TARGET = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*)\\.class");
    private static final Pattern BOUND = Pattern.compile(
            "(?:readValue|convertValue|treeToValue|readerFor)\\([^;]*?([A-Z][A-Za-z0-9_]*(?:\\.[A-Z][A-Za-z0-9_]*)*)\\.class");
    private static final Pattern SERIALIZED_NEW = Pattern.compile("writeValueAs(?:String|Bytes)\\(new ([A-Z][A-Za-z0-9_]*(?:\\.[A-Z][A-Za-z0-9_]*)*)\\(");

    @Test
    void everyMessageAndTheModelTypesItCarriesAreRegisteredByThePlatform() throws Exception {
        Set<String> registered = registered(ROOT.resolve("infra/platform"));
        Set<String> needed = messageClosure();
        assertThat(needed).as("the messages and the model types they carry").hasSizeGreaterThan(15);
        assertThat(needed.stream().filter(n -> !isRegistered(n, registered)).toList())
                .as("types Jackson binds in every service but infra/platform's NativeReflection does not register").isEmpty();
    }

    @Test
    void everyClassAServiceBindsWithItsOwnObjectMapperIsRegistered() throws Exception {
        Set<String> platform = registered(ROOT.resolve("infra/platform"));
        for (String service : List.of("ingest", "rating", "invoicing", "infra/platform")) {
            Set<String> registered = new TreeSet<>(platform);
            registered.addAll(registered(ROOT.resolve(service)));
            Set<String> bound = bound(ROOT.resolve(service));
            assertThat(bound.stream().filter(n -> !isRegistered(n, registered)).toList())
                    .as(service + ": classes bound by Jackson but registered nowhere").isEmpty();
        }
        // the check bites: an unregistered class bound by a service is found
        assertThat(isRegistered("EventsRequest.Unregistered", registered(ROOT.resolve("ingest")))).isFalse();
        assertThat(bound(ROOT.resolve("ingest"))).contains("AcceptedEventV1", "EventsRequest.EventBody");
    }

    /** The classes named by {@code @RegisterForReflection(targets = …)} in a module's NativeReflection classes. */
    static Set<String> registered(Path module) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("NativeReflection.java")).toList()) {
                Matcher m = TARGET.matcher(Files.readString(f));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    /** Whether a name (simple, nested or fully qualified, dotted) is among the registered ones. */
    static boolean isRegistered(String name, Set<String> registered) {
        String dotted = name.replace('$', '.');
        return registered.stream().anyMatch(r -> r.equals(dotted) || r.endsWith("." + dotted) || dotted.endsWith("." + r));
    }

    /** The classes a module's main code hands to Jackson by name. */
    static Set<String> bound(Path module) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                for (Pattern p : List.of(BOUND, SERIALIZED_NEW)) {
                    Matcher m = p.matcher(source);
                    while (m.find()) {
                        String name = m.group(1);
                        if (!name.startsWith("String") && !name.equals("Map") && !name.equals("List") && !name.startsWith("JsonNode")
                                && !name.startsWith("ObjectNode")) {
                            out.add(name);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Every message class and every dev.tally.model type reachable from one, by binary name. */
    static Set<String> messageClosure() throws Exception {
        Deque<Class<?>> todo = new ArrayDeque<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("shared-model/src/main/java/dev/tally/model/messages"))) {
            for (Path f : files.toList()) {
                String simple = f.getFileName().toString().replace(".java", "");
                if (!simple.equals("package-info") && !simple.equals("Headers") && !simple.equals("Topics")) {
                    todo.add(Class.forName("dev.tally.model.messages." + simple));
                }
            }
        }
        Set<String> out = new TreeSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!c.getName().startsWith("dev.tally.model.") || Throwable.class.isAssignableFrom(c) || !out.add(c.getName())) {
                continue;
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    types(rc.getGenericType(), todo);
                }
            }
            if (c.isSealed()) {
                todo.addAll(List.of(c.getPermittedSubclasses()));
            }
            if (c.isInterface() || c.isRecord()) {
                todo.addAll(List.of(c.getDeclaredClasses()).stream().filter(d -> !d.isInterface() || d.isSealed()).toList());
            }
        }
        return out;
    }

    private static void types(Type t, Deque<Class<?>> todo) {
        if (t instanceof Class<?> c) {
            todo.add(c.isArray() ? c.getComponentType() : c);
        } else if (t instanceof ParameterizedType p) {
            types(p.getRawType(), todo);
            for (Type a : p.getActualTypeArguments()) {
                types(a, todo);
            }
        } else if (t instanceof GenericArrayType g) {
            types(g.getGenericComponentType(), todo);
        } else if (t instanceof WildcardType w) {
            for (Type u : w.getUpperBounds()) {
                types(u, todo);
            }
        }
    }
}
