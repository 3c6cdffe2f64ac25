package dev.tally.platform.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml is the document {@link AsyncApi} generates from the shared-model records, it names every topic
 * Tally creates, and a message of every kind, as Tally's JSON configuration writes it, matches its schema.
 */
class AsyncApiDocTest {
    private static final Path DOC = Path.of("../../docs/asyncapi.yaml");
    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES).enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    @Test
    void theDocumentIsTheOneTheRecordsGive() throws Exception {
        String generated = YAML.writeValueAsString(AsyncApi.document());
        if (Boolean.getBoolean("tally.write-docs")) {
            Files.writeString(DOC, generated);
        }
        assertThat(Files.readString(DOC)).as("docs/asyncapi.yaml is not what the records give: regenerate it with "
                + "./mvnw -pl infra/platform test -Dtest=AsyncApiDocTest -Dtally.write-docs=true").isEqualTo(generated);
    }

    @Test
    void everyTopicTallyCreatesIsAChannel() {
        Set<String> channels = new TreeSet<>();
        AsyncApi.document().path("channels").fieldNames().forEachRemaining(channels::add);
        Set<String> topics = new TreeSet<>(Topics.ALL.stream().map(Topics.Spec::name).toList());
        assertThat(channels).isEqualTo(topics);
    }

    @Test
    void aMessageOfEveryKindAsTallyWritesItMatchesItsSchema() throws Exception {
        ObjectNode doc = AsyncApi.document();
        JsonNode schemas = doc.path("components").path("schemas");
        int checked = 0;
        for (AsyncApi.Channel c : AsyncApi.CHANNELS) {
            for (Class<?> m : c.messages()) {
                Object sample = sample(m, 0);
                assertThat(sample).as("a sample " + m.getSimpleName()).isNotNull();
                JsonNode written = AsyncApi.JSON.valueToTree(sample);
                List<String> problems = new ArrayList<>();
                validate(written, schemas.path(m.getSimpleName()), schemas, m.getSimpleName(), problems);
                assertThat(problems).as(m.getSimpleName() + " as written: " + written).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(12);
    }

    @Test
    void theCheckBites() {
        JsonNode schemas = AsyncApi.document().path("components").path("schemas");
        List<String> problems = new ArrayList<>();
        ObjectNode alert = AsyncApi.JSON.valueToTree(sample(AlertV1.class, 0));
        alert.put("quantity", 812.5); // a decimal written as a number
        alert.put("surprise", "x"); // a field the record does not have
        alert.remove("percent"); // an int: always written
        validate(alert, schemas.path("AlertV1"), schemas, "AlertV1", problems);
        assertThat(problems).hasSize(3);
    }

    /** An instance with every component set (records built through their canonical constructor, recursively). */
    static Object sample(Type type, int depth) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == String.class) {
            return "s";
        } else if (raw == BigDecimal.class) {
            return new BigDecimal("1.50");
        } else if (raw == Instant.class) {
            return Instant.parse("2026-11-01T00:00:00Z");
        } else if (raw == LocalDate.class) {
            return LocalDate.parse("2026-11-01");
        } else if (raw == boolean.class || raw == Boolean.class) {
            return true;
        } else if (raw == int.class || raw == Integer.class) {
            return 1;
        } else if (raw == long.class || raw == Long.class) {
            return 2L;
        } else if (raw.isEnum()) {
            return raw.getEnumConstants()[0];
        } else if (Map.class.isAssignableFrom(raw)) {
            Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
            Type key = ((ParameterizedType) type).getActualTypeArguments()[0];
            return depth > 3 ? Map.of() : Map.of(sample(key, depth + 1), value == Object.class ? "v" : sample(value, depth + 1));
        } else if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
            Type item = ((ParameterizedType) type).getActualTypeArguments()[0];
            return depth > 3 ? List.of() : List.of(sample(item, depth + 1));
        } else if (raw == Object.class) {
            return "v";
        } else if (raw.isSealed() && raw.isInterface()) {
            return sample(raw.getPermittedSubclasses()[0], depth);
        } else if (raw.isRecord()) {
            RecordComponent[] rcs = raw.getRecordComponents();
            Object[] args = new Object[rcs.length];
            Class<?>[] types = new Class<?>[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                types[i] = rcs[i].getType();
                args[i] = depth > 4 && !types[i].isPrimitive() ? null : sample(rcs[i].getGenericType(), depth + 1);
            }
            try {
                Constructor<?> ctor = raw.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return ctor.newInstance(args);
            } catch (ReflectiveOperationException e) {
                return null; // a record that refuses these values: left out, like null
            }
        }
        return null;
    }

    /** The JSON Schema subset the generator writes: $ref, oneOf, type, properties, required, additionalProperties, items, enum, pattern, format. */
    static void validate(JsonNode value, JsonNode schema, JsonNode schemas, String at, List<String> problems) {
        if (schema.has("$ref")) {
            String ref = schema.path("$ref").asText();
            validate(value, schemas.path(ref.substring(ref.lastIndexOf('/') + 1)), schemas, at, problems);
            return;
        }
        if (schema.has("oneOf")) {
            int matches = 0;
            for (JsonNode option : schema.path("oneOf")) {
                List<String> p = new ArrayList<>();
                validate(value, option, schemas, at, p);
                matches += p.isEmpty() ? 1 : 0;
            }
            if (matches != 1) {
                problems.add(at + ": matches " + matches + " of oneOf");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(at + ": not a string: " + value);
                } else if (schema.has("pattern") && !value.asText().matches(schema.path("pattern").asText())) {
                    problems.add(at + ": does not match " + schema.path("pattern").asText());
                } else if ("date-time".equals(schema.path("format").asText()) && !value.asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z")) {
                    problems.add(at + ": not an RFC 3339 instant: " + value);
                } else if (schema.has("enum") && !schema.path("enum").toString().contains("\"" + value.asText() + "\"")) {
                    problems.add(at + ": not one of " + schema.path("enum"));
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(at + ": not an integer: " + value);
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(at + ": not a number: " + value);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(at + ": not a boolean: " + value);
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(at + ": not an array: " + value);
                } else if (schema.has("items")) {
                    int i = 0;
                    for (JsonNode item : value) {
                        validate(item, schema.path("items"), schemas, at + "[" + i++ + "]", problems);
                    }
                }
            }
            case "object" -> object(value, schema, schemas, at, problems);
            default -> {
                // no type: any JSON value
            }
        }
    }

    private static void object(JsonNode value, JsonNode schema, JsonNode schemas, String at, List<String> problems) {
        if (!value.isObject()) {
            problems.add(at + ": not an object: " + value);
            return;
        }
        for (JsonNode r : schema.path("required")) {
            if (!value.has(r.asText())) {
                problems.add(at + "." + r.asText() + ": required, absent");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode declared = schema.path("properties").path(e.getKey());
            if (!declared.isMissingNode()) {
                validate(e.getValue(), declared, schemas, at + "." + e.getKey(), problems);
            } else if (schema.path("additionalProperties").isObject()) {
                validate(e.getValue(), schema.path("additionalProperties"), schemas, at + "." + e.getKey(), problems);
            } else if (schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean()) {
                problems.add(at + "." + e.getKey() + ": not in the schema");
            }
        }
    }
}
