package dev.tally.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Kubernetes API schemas (as JSON Schema: the {@code schema/validation-schema.json} that each fabric8
 * kubernetes-model 6.x jar carries, unpacked by the build into {@code target/k8s-schemas}, generated from the Kubernetes API — core, apps, policy, autoscaling, networking, and
 * the Prometheus Operator's monitoring.coreos.com) applied <em>strictly</em>: an object may hold only the fields its
 * schema names, so a misspelled or misplaced field fails here instead of being pruned silently by the API server (or
 * refused by {@code kubectl apply --validate=strict}). Types are checked too; {@code Quantity} and
 * {@code IntOrString} take a string or a number, as the API does.
 */
final class KubernetesSchemas {
    private final Map<String, JsonNode> definitions = new HashMap<>();
    private final Map<String, String> byKind = new HashMap<>();

    KubernetesSchemas() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path dir = Path.of(System.getProperty("tally.k8s-schemas", "target/k8s-schemas"));
        List<Path> schemas;
        try (Stream<Path> files = Files.walk(dir)) {
            schemas = files.filter(f -> f.getFileName().toString().equals("validation-schema.json")).sorted().toList();
        }
        int files = 0;
        for (Path schema : schemas) {
            try (InputStream in = Files.newInputStream(schema)) {
                JsonNode defs = json.readTree(in).path("definitions");
                for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> d = it.next();
                    definitions.putIfAbsent(d.getKey(), d.getValue());
                    String apiVersion = d.getValue().path("properties").path("apiVersion").path("default").asText("");
                    String kind = d.getValue().path("properties").path("kind").path("default").asText("");
                    if (!apiVersion.isEmpty() && !kind.isEmpty()) {
                        byKind.putIfAbsent(apiVersion + "/" + kind, d.getKey());
                    }
                }
            }
            files++;
        }
        if (files < 5) {
            throw new IllegalStateException("expected the schemas of at least 5 fabric8 model jars in " + dir + " (unpacked by the build), found " + files);
        }
    }

    /** Whether a schema for this apiVersion and kind is known. */
    boolean knows(String apiVersion, String kind) {
        return byKind.containsKey(apiVersion + "/" + kind);
    }

    /** What is wrong with one object; empty when it matches its kind's schema exactly. */
    List<String> problems(JsonNode object) {
        List<String> out = new ArrayList<>();
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        String definition = byKind.get(key);
        if (definition == null) {
            out.add("no Kubernetes API schema for " + key);
            return out;
        }
        String where = object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
        check(object, definitions.get(definition), definition, where, out);
        return out;
    }

    private void check(JsonNode value, JsonNode schema, String definition, String path, List<String> out) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText().replace("#/definitions/", "");
            JsonNode target = definitions.get(ref);
            if (target == null) {
                out.add(path + ": schema reference " + ref + " unknown");
                return;
            }
            check(value, target, ref, path, out);
            return;
        }
        if (value.isNull()) {
            return; // an explicit null is "not set" to the API server
        }
        if (definition.endsWith("_Quantity") || definition.endsWith("_IntOrString")) {
            if (!value.isTextual() && !value.isNumber()) {
                out.add(path + ": expected a string or a number, got " + value.getNodeType());
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "string" -> {
                if (!value.isTextual()) {
                    out.add(path + ": expected a string, got " + value.getNodeType() + " " + value);
                } else if (schema.has("pattern") && !value.asText().matches(schema.get("pattern").asText())) {
                    out.add(path + ": \"" + value.asText() + "\" does not match " + schema.get("pattern").asText());
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    out.add(path + ": expected an integer, got " + value.getNodeType() + " " + value);
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    out.add(path + ": expected a number, got " + value.getNodeType() + " " + value);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(path + ": expected true or false, got " + value.getNodeType() + " " + value);
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    out.add(path + ": expected a list, got " + value.getNodeType());
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), "", path + "[" + i + "]", out);
                }
            }
            case "object", "" -> checkObject(value, schema, path, out);
            default -> out.add(path + ": schema type " + type + " not understood");
        }
    }

    private void checkObject(JsonNode value, JsonNode schema, String path, List<String> out) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        if (!value.isObject()) {
            if (properties.isObject() || additional.isObject()) {
                out.add(path + ": expected an object, got " + value.getNodeType() + " " + value);
            }
            return;
        }
        if (properties.isObject() && properties.size() > 0) {
            // strict: fabric8 marks every object open (additionalProperties: true) to keep unknown fields; the API does not
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode fieldSchema = properties.get(f.getKey());
                if (fieldSchema == null) {
                    out.add(path + "." + f.getKey() + ": unknown field");
                } else {
                    check(f.getValue(), fieldSchema, "", path + "." + f.getKey(), out);
                }
            }
        } else if (additional.isObject()) {
            // a map (labels, annotations, selectors, resource lists)
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                check(f.getValue(), additional, "", path + "." + f.getKey(), out);
            }
        }
    }
}
