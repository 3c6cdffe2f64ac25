package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/architecture.md's module table is checked against the code, where that is cheap (a text scan of the sources):
 * the tables each service owns are the ones its Flyway migrations create (and do not drop), plus the platform's
 * outbox; the topics it writes are the ones it appends to its outbox; the topics it reads are the others its code
 * names (and the catalog, read by every service through the platform's catalog view); every message schema of
 * shared-model is named in shared-model's row.
 */
class ArchitectureDocTest {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern TICKED = Pattern.compile("`([a-z_][a-z0-9_.]*)`");

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "rating", "invoicing"})
    void theTablesAServiceOwnsAreTheOnesItsMigrationsCreate(String service) throws IOException {
        Set<String> created = new TreeSet<>(Set.of("outbox")); // the platform's db/outbox migration, run in every service's schema
        Set<String> dropped = new TreeSet<>();
        Pattern create = Pattern.compile("(?i)create\\s+(?:unlogged\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?([a-z_][a-z0-9_]*)");
        Pattern drop = Pattern.compile("(?i)drop\\s+table\\s+(?:if\\s+exists\\s+)?([a-z_][a-z0-9_]*)");
        for (Path sql : files(ROOT.resolve(service).resolve("src/main/resources/db/migration"), ".sql")) {
            String text = Files.readString(sql);
            created.addAll(all(create, text));
            dropped.addAll(all(drop, text));
        }
        created.removeAll(dropped);
        String owns = row(service).get(2);
        Set<String> documented = new TreeSet<>(all(TICKED, owns.substring(owns.indexOf(':') + 1)));
        assertThat(documented).as("docs/architecture.md: the tables " + service + " owns").isEqualTo(created);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "rating", "invoicing"})
    void theTopicsAServiceReadsAndWritesAreTheOnesItsCodeUses(String service) throws IOException {
        Map<String, String> topics = topicNames();
        Set<String> written = new TreeSet<>();
        Set<String> named = new TreeSet<>();
        boolean catalogView = false;
        Pattern append = Pattern.compile("append\\((?:\\w+,\\s*)?Topics\\.([A-Z_]+),");
        Pattern constant = Pattern.compile("Topics\\.([A-Z_]+)\\b");
        for (Path java : files(ROOT.resolve(service).resolve("src/main/java"), ".java")) {
            String text = Files.readString(java);
            all(append, text).forEach(c -> written.add(topics.get(c)));
            all(constant, text).stream().filter(topics::containsKey).forEach(c -> named.add(topics.get(c)));
            catalogView |= text.contains("CatalogView");
        }
        Set<String> read = new TreeSet<>(named);
        read.removeAll(written);
        if (catalogView) {
            read.add(topics.get("CATALOG"));
        }
        String talksTo = row(service).get(3);
        assertThat(topicsAfter(talksTo, "reads")).as("docs/architecture.md: the topics " + service + " reads").isEqualTo(read);
        assertThat(topicsAfter(talksTo, "writes")).as("docs/architecture.md: the topics " + service + " writes").isEqualTo(written);
    }

    @Test
    void everyMessageSchemaIsNamedInSharedModelsRow() throws IOException {
        Set<String> schemas = new TreeSet<>();
        for (Path java : files(ROOT.resolve("shared-model/src/main/java/dev/tally/model/messages"), ".java")) {
            String text = Files.readString(java);
            if (text.contains("public record") && text.contains("public static final String SCHEMA")) {
                schemas.add(java.getFileName().toString().replace(".java", ""));
            }
        }
        assertThat(schemas).isNotEmpty();
        String owns = row("shared-model").get(2);
        assertThat(schemas).as("docs/architecture.md: message schemas in shared-model's row")
                .allSatisfy(s -> assertThat(owns).contains("`" + s + "`"));
    }

    /** The topics named (backticked) after {@code verb} up to the next ';' in a "talks to" cell. */
    private static Set<String> topicsAfter(String cell, String verb) {
        int at = cell.indexOf(verb + " ");
        if (at < 0) {
            return Set.of();
        }
        int end = cell.indexOf(';', at);
        String part = cell.substring(at, end < 0 ? cell.length() : end);
        Set<String> out = new TreeSet<>();
        for (String t : all(TICKED, part)) {
            if (t.startsWith("tally.")) {
                out.add(t);
            }
        }
        return out;
    }

    /** The module table's row of {@code module}: its cells (module, kind, owns, talks to). */
    private static List<String> row(String module) throws IOException {
        for (String line : Files.readAllLines(ROOT.resolve("docs/architecture.md"))) {
            if (line.startsWith("| `" + module + "` |")) {
                return Stream.of(line.split("\\|")).skip(1).map(String::strip).toList();
            }
        }
        throw new AssertionError("docs/architecture.md has no row for " + module);
    }

    /** Topics' constant names and the names they spell, read from Topics.java. */
    private static Map<String, String> topicNames() throws IOException {
        String text = Files.readString(ROOT.resolve("shared-model/src/main/java/dev/tally/model/messages/Topics.java"));
        Map<String, String> out = new HashMap<>();
        Matcher m = Pattern.compile("public static final String ([A-Z_]+) = \"([a-z.]+)\";").matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private static Set<String> all(Pattern p, String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
