package dev.tally.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.tally.model.messages.Topics;
import io.strimzi.api.kafka.model.common.UnknownPropertyPreserving;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./tally deploy-check}: the Helm chart linted strictly and rendered with each profile in {@code ci/}, and every
 * rendered object held to the house rules — each container has startup, liveness and readiness probes on
 * {@code /q/health/*}, requests and limits, a non-root read-only securityContext without privilege escalation or
 * capabilities; no Secret is rendered and every secret-looking variable comes from a Secret reference; and every
 * environment variable is one its service really reads (a {@code ${TALLY_…}} in its application.properties, or a
 * Quarkus/OpenTelemetry name), so a typo in the chart fails here rather than being ignored in a cluster.
 */
class HelmChartTest {
    static final Path ROOT = Path.of(System.getProperty("tally.root", "../.."));
    static final Path CHART = ROOT.resolve("infra/helm/tally");
    static final Map<String, String> SERVICE_DIRS = Map.of("ingest", "ingest", "rating", "rating", "invoicing", "invoicing", "admin-ui", "admin-ui");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSchemas SCHEMAS = loadSchemas();
    /** The API groups of the optional in-cluster operators' resources (Strimzi, CloudNativePG): checked by their own tests. */
    private static final Set<String> CUSTOM_RESOURCES = Set.of("kafka.strimzi.io/v1beta2", "postgresql.cnpg.io/v1");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{(TALLY_[A-Z0-9_]+)");
    private static final Pattern PROPERTY_KEY = Pattern.compile("(?m)^(?:%[a-z-]+\\.)?(tally\\.[a-z0-9.-]+)=");
    private static final Pattern CONFIG_NAME = Pattern.compile("(?:name = \"|\\$\\{|\\{)(tally\\.[a-z0-9.-]+)[\":}]");

    @TempDir
    Path temp;

    @Test
    void theChartLintsStrictlyWithTheValuesAnInstallGives() throws Exception {
        Path chart = copyWithValues(CHART.resolve("ci/default-values.yaml"));
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.getMessages()).as("helm lint --strict").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(lint.isFailed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"default-values.yaml", "ha-values.yaml", "native-values.yaml", "monitoring-values.yaml"})
    void everyProfileRendersObjectsThatKeepTheHouseRules(String profile) throws Exception {
        List<JsonNode> objects = render(CHART.resolve("ci").resolve(profile));
        List<JsonNode> deployments = ofKind(objects, "Deployment");
        assertThat(deployments).extracting(d -> d.path("metadata").path("labels").path("app.kubernetes.io/component").asText())
                .containsExactlyInAnyOrder("ingest", "rating", "invoicing", "admin-ui");
        assertThat(ofKind(objects, "Secret")).as("no Secret is rendered from values").isEmpty();
        for (JsonNode d : deployments) {
            assertThat(problems(d)).as(profile + ": " + d.path("metadata").path("name").asText()).isEmpty();
        }
        assertThat(ofKind(objects, "Service")).hasSize(4);
        assertThat(ofKind(objects, "PodDisruptionBudget")).hasSize(4);
        assertThat(ofKind(objects, "NetworkPolicy")).hasSize(4);
        assertThat(ofKind(objects, "ServiceAccount")).hasSize(1);
        if (profile.equals("ha-values.yaml")) {
            assertThat(ofKind(objects, "HorizontalPodAutoscaler")).extracting(h -> h.path("spec").path("maxReplicas").asInt())
                    .containsExactlyInAnyOrder(20, 4);
            assertThat(ofKind(objects, "Ingress")).extracting(i -> i.path("spec").path("tls").path(0).path("hosts").path(0).asText())
                    .containsExactlyInAnyOrder("ingest.tally.example.com", "console.tally.example.com");
            // the event archive: the shared claim, and a local scratch volume for DuckDB's spills
            JsonNode invoicing = deployments.stream().filter(d -> d.path("metadata").path("name").asText().endsWith("-invoicing")).findFirst()
                    .orElseThrow();
            assertThat(container(invoicing).path("env").toString()).contains("\"TALLY_ARCHIVE_ENABLED\",\"value\":\"true\"")
                    .contains("\"TALLY_ARCHIVE_SCRATCH_DIR\",\"value\":\"/var/lib/tally/scratch\"");
            assertThat(invoicing.path("spec").path("template").path("spec").path("volumes").toString()).contains("\"claimName\":\"tally-archive\"")
                    .contains("\"sizeLimit\":\"16Gi\"").contains("\"claimName\":\"tally-warehouse\"");
            assertThat(container(invoicing).path("env").toString()).contains("\"TALLY_WAREHOUSE_ENABLED\",\"value\":\"true\"")
                    .contains("\"TALLY_WAREHOUSE_DIR\",\"value\":\"/var/lib/tally/warehouse\"");
        }
        if (profile.equals("native-values.yaml")) {
            assertThat(deployments).allSatisfy(d -> assertThat(container(d).path("image").asText()).contains("-native:"));
        }
    }

    /** Every rendered object of every profile matches its Kubernetes API schema exactly (no unknown field, right types). */
    @ParameterizedTest
    @ValueSource(strings = {"default-values.yaml", "ha-values.yaml", "native-values.yaml", "monitoring-values.yaml", "in-cluster-values.yaml"})
    void everyRenderedObjectMatchesTheKubernetesApiSchemaStrictly(String profile) throws Exception {
        List<JsonNode> objects = render(CHART.resolve("ci").resolve(profile));
        assertThat(objects).isNotEmpty();
        for (JsonNode o : objects) {
            String api = o.path("apiVersion").asText();
            if (SCHEMAS.knows(api, o.path("kind").asText()) || !CUSTOM_RESOURCES.contains(api)) {
                assertThat(SCHEMAS.problems(o)).as(profile + ": " + o.path("kind").asText() + " " + o.path("metadata").path("name").asText()).isEmpty();
            }
        }
    }

    /**
     * The in-cluster profile: Strimzi's Kafka, node pool and one KafkaTopic per platform topic (Topics.ALL: the same
     * names, partitions and compaction; replication factor 3, min.insync.replicas 2, tally.events.accepted kept at
     * least the correction window), each read into Strimzi's own typed model with no field left unknown; a
     * CloudNativePG cluster with a synchronous standby and backups; the services pointed at both.
     */
    @Test
    void theInClusterProfileRunsKafkaAndPostgresWithTheOperatorsAndThePlatformsTopics() throws Exception {
        List<JsonNode> objects = render(CHART.resolve("ci/in-cluster-values.yaml"));
        List<JsonNode> topics = ofKind(objects, "KafkaTopic");
        assertThat(topics).extracting(t -> t.path("spec").path("topicName").asText() + "/" + t.path("spec").path("partitions").asInt()
                        + (t.path("spec").path("config").path("cleanup.policy").asText().equals("compact") ? "/compacted" : ""))
                .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream()
                        .map(t -> t.name() + "/" + t.partitions() + (t.compacted() ? "/compacted" : "")).toList());
        for (JsonNode t : topics) {
            assertThat(t.path("spec").path("replicas").asInt()).isEqualTo(3);
            assertThat(t.path("spec").path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
            assertThat(strimziProblems(t, KafkaTopic.class)).isEmpty();
        }
        JsonNode accepted = topics.stream().filter(t -> t.path("spec").path("topicName").asText().equals("tally.events.accepted")).findFirst().orElseThrow();
        assertThat(accepted.path("spec").path("config").path("retention.ms").asLong()).isEqualTo(45L * 86_400_000L);
        assertThat(strimziProblems(ofKind(objects, "Kafka").get(0), Kafka.class)).isEmpty();
        assertThat(strimziProblems(ofKind(objects, "KafkaNodePool").get(0), KafkaNodePool.class)).isEmpty();
        JsonNode pg = ofKind(objects, "Cluster").get(0);
        assertThat(pg.path("spec").path("instances").asInt()).isEqualTo(3);
        assertThat(pg.path("spec").path("minSyncReplicas").asInt()).isEqualTo(1);
        assertThat(pg.path("spec").path("backup").path("barmanObjectStore").path("destinationPath").asText()).isEqualTo("s3://tally-backups/pg");
        assertThat(ofKind(objects, "ScheduledBackup")).hasSize(1);
        JsonNode invoicing = ofKind(objects, "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().endsWith("-invoicing")).findFirst().orElseThrow();
        assertThat(container(invoicing).path("env").toString())
                .contains("jdbc:postgresql://tally-pg-rw:5432/tally", "tally-kafka-kafka-bootstrap:9092", "\"name\":\"tally-pg-app\"");
        // the archive and the warehouse export in object storage: their URLs, the S3 client's endpoint and its key from
        // a Secret; no shared volume, and the scratch volume for staged uploads and a day's downloads
        assertThat(container(invoicing).path("env").toString()).contains("\"TALLY_ARCHIVE_DIR\",\"value\":\"s3://tally-archive/events\"")
                .contains("\"TALLY_WAREHOUSE_DIR\",\"value\":\"s3://tally-warehouse/daily\"")
                .contains("\"TALLY_S3_ENDPOINT\",\"value\":\"http://minio.storage:9000\"").contains("\"TALLY_S3_PATH_STYLE\",\"value\":\"true\"")
                .contains("\"TALLY_S3_SECRET_ACCESS_KEY\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"tally-object-storage\"");
        assertThat(invoicing.path("spec").path("template").path("spec").path("volumes").toString()).doesNotContain("claimName")
                .contains("\"name\":\"scratch\"");
        assertThat(ofKind(objects, "NetworkPolicy")).filteredOn(n -> n.path("metadata").path("name").asText().endsWith("-invoicing")).singleElement()
                .satisfies(n -> assertThat(n.path("spec").path("egress").toString()).contains("{\"port\":9000}"));
        assertThat(ofKind(objects, "NetworkPolicy")).filteredOn(n -> n.path("metadata").path("name").asText().endsWith("-rating")).singleElement()
                .satisfies(n -> assertThat(n.path("spec").path("egress").toString()).doesNotContain("9000"));
        // a Strimzi field misspelled is caught by the same check
        ObjectNode typo = topics.get(0).deepCopy();
        ((ObjectNode) typo.path("spec")).put("partitons", 4);
        assertThat(strimziProblems(typo, KafkaTopic.class)).anyMatch(p -> p.contains("partitons"));
    }

    /** Rating runs one consumer per partition of tally.events.accepted: no profile autoscales it past them. */
    @ParameterizedTest
    @ValueSource(strings = {"default-values.yaml", "ha-values.yaml"})
    void ratingNeverScalesPastThePartitionsItConsumes(String profile) throws Exception {
        int partitions = Topics.ALL.stream()
                .filter(t -> t.name().equals(Topics.EVENTS_ACCEPTED)).findFirst().orElseThrow().partitions();
        for (JsonNode h : ofKind(render(CHART.resolve("ci").resolve(profile)), "HorizontalPodAutoscaler")) {
            if (h.path("metadata").path("name").asText().endsWith("-rating")) {
                assertThat(h.path("spec").path("maxReplicas").asInt()).isLessThanOrEqualTo(partitions);
            }
        }
        ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        assertThat(values.path("services").path("rating").path("autoscaling").path("maxReplicas").asInt()).isLessThanOrEqualTo(partitions);
    }

    /**
     * The images the chart runs are the ones the project builds: the tag is the project's version (Chart.yaml
     * appVersion), each service has both Dockerfiles, exposes the port the chart gives it, and runs as the non-root
     * user the chart's securityContext names.
     */
    @Test
    void theChartRunsTheImagesTheProjectBuilds() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>tally-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(version.find()).isTrue();
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.path("appVersion").asText()).as("Chart.yaml appVersion = the project's version").isEqualTo(version.group(1));
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        for (JsonNode d : ofKind(render(CHART.resolve("ci/default-values.yaml")), "Deployment")) {
            String component = d.path("metadata").path("labels").path("app.kubernetes.io/component").asText();
            assertThat(container(d).path("image").asText()).isEqualTo(values.path("image").path("registry").asText() + "/"
                    + values.path("image").path("repositoryPrefix").asText() + component + ":" + version.group(1));
            int port = container(d).path("ports").path(0).path("containerPort").asInt();
            for (String flavor : List.of("jvm", "native")) {
                String dockerfile = Files.readString(ROOT.resolve(component).resolve("src/main/docker/Dockerfile." + flavor));
                assertThat(dockerfile).as(component + " Dockerfile." + flavor).contains("EXPOSE " + port).contains("USER 1001");
            }
        }
        assertThat(values.path("podSecurityContext").path("runAsUser").asInt()).isEqualTo(1001);
    }

    /** The schema check bites: a misspelled field, a field in the wrong place, a wrong type, an unknown kind. */
    @Test
    void aManifestTheApiServerWouldRefuseIsCaught() throws Exception {
        List<JsonNode> objects = render(CHART.resolve("ci/ha-values.yaml"));
        ObjectNode deployment = ofKind(objects, "Deployment").get(0).deepCopy();
        ObjectNode misspelled = deployment.deepCopy();
        ObjectNode c = (ObjectNode) container(misspelled);
        c.set("readinesProbe", c.remove("readinessProbe"));
        assertThat(SCHEMAS.problems(misspelled)).anyMatch(p -> p.contains("containers[0].readinesProbe: unknown field"));
        ObjectNode misplaced = deployment.deepCopy();
        ((ObjectNode) misplaced.path("spec")).set("resources", container(misplaced).path("resources"));
        assertThat(SCHEMAS.problems(misplaced)).anyMatch(p -> p.contains("spec.resources: unknown field"));
        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.path("spec")).put("replicas", "two");
        assertThat(SCHEMAS.problems(wrongType)).anyMatch(p -> p.contains("spec.replicas: expected an integer"));
        ObjectNode badPort = ofKind(objects, "Service").get(0).deepCopy();
        ((ObjectNode) badPort.path("spec").path("ports").path(0)).put("port", "http");
        assertThat(SCHEMAS.problems(badPort)).anyMatch(p -> p.contains("ports[0].port: expected an integer"));
        ObjectNode hpa = ofKind(objects, "HorizontalPodAutoscaler").get(0).deepCopy();
        ((ObjectNode) hpa.path("spec")).put("targetCPUUtilizationPercentage", 70); // autoscaling/v1's field, not v2's
        assertThat(SCHEMAS.problems(hpa)).anyMatch(p -> p.contains("spec.targetCPUUtilizationPercentage: unknown field"));
        ObjectNode rule = YAML.createObjectNode().put("apiVersion", "monitoring.coreos.com/v1").put("kind", "PrometheusRule");
        rule.putObject("spec").putArray("groups").addObject().put("name", "x").putArray("rules").addObject().put("alert", "A").put("expr", "1").put("fore", "5m");
        assertThat(SCHEMAS.problems(rule)).anyMatch(p -> p.contains("rules[0].fore: unknown field"));
        ObjectNode unknownKind = YAML.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deploymnet");
        assertThat(SCHEMAS.problems(unknownKind)).anyMatch(p -> p.contains("no Kubernetes API schema for apps/v1/Deploymnet"));
    }

    @Test
    void onlyIngestAndTheConsoleAreReachableFromOutsideAndTheConsoleReachesTheServices() throws Exception {
        List<JsonNode> policies = ofKind(render(CHART.resolve("ci/default-values.yaml")), "NetworkPolicy");
        for (JsonNode p : policies) {
            String component = p.path("metadata").path("labels").path("app.kubernetes.io/component").asText();
            boolean fromIngress = p.path("spec").path("ingress").toString().contains("ingress-nginx");
            assertThat(fromIngress).as(component + " reachable through the ingress controller").isEqualTo(
                    component.equals("ingest") || component.equals("admin-ui"));
            boolean toDatabase = p.path("spec").path("egress").toString().contains("5432");
            assertThat(toDatabase).as(component + " reaches PostgreSQL").isEqualTo(!component.equals("admin-ui"));
        }
    }

    /** Every alert watches a metric a service really registers (Micrometer's dotted name, as Prometheus spells it). */
    @Test
    void theAlertsWatchOnlyMetricsTheServicesRegister() throws Exception {
        List<JsonNode> objects = render(CHART.resolve("ci/monitoring-values.yaml"));
        assertThat(ofKind(objects, "ServiceMonitor")).hasSize(1);
        JsonNode rules = ofKind(objects, "PrometheusRule").get(0).path("spec").path("groups").path(0).path("rules");
        assertThat(rules.size()).isGreaterThanOrEqualTo(8);
        String sources = javaSources();
        for (JsonNode rule : rules) {
            assertThat(metricsNotRegistered(rule.path("expr").asText(), sources)).as(rule.path("alert").asText()).isEmpty();
            assertThat(rule.path("expr").asText()).as(rule.path("alert").asText() + " watches a tally metric").contains("tally_");
        }
        assertThat(metricsNotRegistered("rate(tally_ingest_eventz_total[5m])", sources)).containsExactly("tally_ingest_eventz_total");
        assertThat(variablesRead("ingest")).isNotEmpty();
    }

    private static KubernetesSchemas loadSchemas() {
        try {
            return new KubernetesSchemas();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with a Strimzi resource: it must read into Strimzi's typed model (right types), and no object of
     * it may keep a field the model does not know (Strimzi's classes keep those aside instead of refusing them).
     */
    static List<String> strimziProblems(JsonNode object, Class<?> type) {
        List<String> out = new ArrayList<>();
        Object model;
        try {
            model = new ObjectMapper().treeToValue(object, type);
        } catch (Exception e) {
            out.add(type.getSimpleName() + " does not read: " + e.getMessage());
            return out;
        }
        unknownFields(model, type.getSimpleName(), out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void unknownFields(Object o, String path, List<String> out, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof Iterable<?> list) {
            int i = 0;
            for (Object e : list) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.strimzi.")) {
            return;
        }
        if (o instanceof UnknownPropertyPreserving u && u.getAdditionalProperties() != null) {
            u.getAdditionalProperties().keySet().forEach(k -> out.add(path + "." + k + ": unknown field"));
        }
        // up to Object: a resource's spec is a field of fabric8's CustomResource
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Object v = f.get(o);
                    if (!f.getName().equals("additionalProperties")) {
                        unknownFields(v, path + "." + f.getName(), out, seen);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a field the module system hides: its getters are not needed here
                }
            }
        }
    }

    /**
     * The Grafana dashboard ships in the chart (a ConfigMap for Grafana's sidecar): valid JSON, every panel on the
     * dashboard's Prometheus variable with a unique id, and every query on metrics the services really register.
     */
    @Test
    void theDashboardShowsOnlyMetricsTheServicesRegister() throws Exception {
        List<JsonNode> maps = ofKind(render(CHART.resolve("ci/monitoring-values.yaml")), "ConfigMap");
        assertThat(maps).hasSize(1);
        assertThat(maps.get(0).path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        JsonNode dashboard = new ObjectMapper().readTree(maps.get(0).path("data").path("tally.json").asText());
        String sources = javaSources();
        Set<Integer> ids = new TreeSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id " + panel.path("id") + " unique").isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
            for (JsonNode target : panel.path("targets")) {
                queries++;
                assertThat(metricsNotRegistered(target.path("expr").asText(), sources)).as(panel.path("title").asText()).isEmpty();
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(20);
        assertThat(ofKind(render(CHART.resolve("ci/default-values.yaml")), "ConfigMap")).as("off by default").isEmpty();
    }

    /**
     * The metric names in a PromQL expression that no service registers: a {@code tally_…} name must be a Micrometer
     * name some service registers (dots for underscores, less Prometheus' {@code _total}, {@code _bucket},
     * {@code _count}, {@code _sum}, {@code _max} and a timer's {@code _seconds}); other names must be Quarkus' own
     * HTTP and JVM metrics.
     */
    static List<String> metricsNotRegistered(String expr, String sources) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\b([a-z_]+_[a-z_]+)(?=\\{|\\[|\\)|\\s|$)").matcher(expr);
        while (m.find()) {
            String name = m.group(1);
            if (PROMQL_WORDS.contains(name)) {
                continue;
            }
            if (name.startsWith("tally_")) {
                String base = name.replaceFirst("_(total|bucket|count|sum|max)$", "");
                boolean found = false;
                for (String candidate : List.of(base, base.replaceFirst("_seconds$", ""))) {
                    found |= sources.contains("\"" + candidate.replace('_', '.') + "\"");
                }
                if (!found) {
                    out.add(name);
                }
            } else if (!name.startsWith("http_server_requests_seconds_") && !name.startsWith("jvm_")) {
                out.add(name);
            }
        }
        return out;
    }

    private static final Set<String> PROMQL_WORDS = Set.of("histogram_quantile", "clamp_min", "label_values", "rate_interval");

    /** Every main Java source of the services and the platform, concatenated. */
    private static String javaSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String dir : List.of("ingest", "rating", "invoicing", "infra/platform")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dir).resolve("src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }

    /** The checks themselves fail on a broken chart: a typo'd variable, a missing probe, a literal secret, a root container. */
    @Test
    void aBrokenDeploymentIsCaught() throws Exception {
        JsonNode good = ofKind(render(CHART.resolve("ci/default-values.yaml")), "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().endsWith("-invoicing")).findFirst().orElseThrow();
        ObjectNode typo = good.deepCopy();
        ((ObjectNode) container(typo).path("env").path(0)).put("name", "TALLY_DB_URLL");
        assertThat(problems(typo)).anyMatch(p -> p.contains("TALLY_DB_URLL") && p.contains("does not read"));
        ObjectNode noProbe = good.deepCopy();
        ((ObjectNode) container(noProbe)).remove("readinessProbe");
        assertThat(problems(noProbe)).anyMatch(p -> p.contains("readinessProbe"));
        ObjectNode literal = good.deepCopy();
        ((ArrayNode) container(literal).path("env")).addObject().put("name", "TALLY_DB_PASSWORD").put("value", "hunter2");
        assertThat(problems(literal)).anyMatch(p -> p.contains("TALLY_DB_PASSWORD") && p.contains("Secret"));
        ObjectNode root = good.deepCopy();
        ((ObjectNode) container(root).path("securityContext")).put("runAsNonRoot", false);
        assertThat(problems(root)).anyMatch(p -> p.contains("runAsNonRoot"));
        ObjectNode noLimits = good.deepCopy();
        ((ObjectNode) container(noLimits).path("resources")).remove("limits");
        assertThat(problems(noLimits)).anyMatch(p -> p.contains("limits"));
    }

    @Test
    void theSchemaRefusesBadValues() throws Exception {
        Path values = CHART.resolve("ci/default-values.yaml");
        assertThatThrownBy(() -> template().withValuesFile(values).set("services.ingest.replicas", "two").call())
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> template().withValuesFile(values).set("image.flavor", "wasm").call())
                .hasMessageContaining("flavor");
        assertThatThrownBy(() -> template().withValuesFile(values).set("securityContext.runAsNonRoot", false).call())
                .hasMessageContaining("runAsNonRoot");
        // the archive in object storage is an s3:// URL (a path belongs in existingClaim's volume)
        assertThatThrownBy(() -> template().withValuesFile(values).set("archive.url", "/mnt/archive").call()).hasMessageContaining("archive");
        // a secret never goes in as a value: extra environment refuses secret-looking names
        assertThatThrownBy(() -> template().withValuesFile(values)
                .set("services.invoicing.env.TALLY_STRIPE_SECRET_KEY", "sk_live_x").call()).hasMessageContaining("TALLY_STRIPE_SECRET_KEY");
        // and the Secrets an install needs are required
        assertThatThrownBy(() -> template().call()).hasMessageMatching("(?s).*(postgres.url|postgres.existingSecret|operatorToken.existingSecret|kafka.bootstrapServers) is required.*");
    }

    // --- the rules -------------------------------------------------------------------------------------------------

    /** What is wrong with one Deployment; empty when it keeps every rule. */
    static List<String> problems(JsonNode deployment) throws IOException {
        List<String> out = new ArrayList<>();
        String component = deployment.path("metadata").path("labels").path("app.kubernetes.io/component").asText();
        Set<String> reads = variablesRead(component);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        if (!pod.path("securityContext").path("runAsNonRoot").asBoolean(false)) {
            out.add("the pod's securityContext lacks runAsNonRoot: true");
        }
        for (JsonNode c : pod.path("containers")) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                if (!c.path(probe).path("httpGet").path("path").asText().startsWith("/q/health/")) {
                    out.add(probe + " missing or not on /q/health/*");
                }
            }
            for (String kind : List.of("requests", "limits")) {
                JsonNode r = c.path("resources").path(kind);
                if (r.path("cpu").isMissingNode() || r.path("memory").isMissingNode()) {
                    out.add("resources." + kind + " lacks cpu or memory");
                }
            }
            JsonNode sc = c.path("securityContext");
            if (!sc.path("runAsNonRoot").asBoolean(false)) {
                out.add("container securityContext lacks runAsNonRoot: true");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                out.add("container securityContext lacks readOnlyRootFilesystem: true");
            }
            if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                out.add("container securityContext allows privilege escalation");
            }
            if (!sc.path("capabilities").path("drop").toString().contains("ALL")) {
                out.add("container securityContext does not drop ALL capabilities");
            }
            for (JsonNode e : c.path("env")) {
                String name = e.path("name").asText();
                if (!reads.contains(name) && !name.startsWith("QUARKUS_") && !name.startsWith("OTEL_") && !name.startsWith("JAVA_")) {
                    out.add(name + ": " + component + " does not read it (no ${" + name + "} in its application.properties, no such tally.… key)");
                }
                if (name.matches(".*(PASSWORD|SECRET|TOKEN|_KEY).*") && !e.has("valueFrom")) {
                    out.add(name + " is a literal value; secrets come from a Secret (valueFrom.secretKeyRef)");
                }
            }
        }
        return out;
    }

    /**
     * The {@code TALLY_…} variables the service reads: each {@code ${TALLY_…}} in its application.properties, and the
     * environment spelling (MicroProfile Config: upper case, every other character an underscore) of every
     * {@code tally.…} key its application.properties sets or its code (and the platform's) asks for.
     */
    static Set<String> variablesRead(String component) throws IOException {
        String props = Files.readString(ROOT.resolve(SERVICE_DIRS.get(component)).resolve("src/main/resources/application.properties"));
        Set<String> out = new TreeSet<>();
        Matcher m = ENV_REFERENCE.matcher(props);
        while (m.find()) {
            out.add(m.group(1));
        }
        Matcher keys = PROPERTY_KEY.matcher(props);
        while (keys.find()) {
            out.add(envName(keys.group(1)));
        }
        List<String> dirs = component.equals("admin-ui") ? List.of("admin-ui") : List.of(SERVICE_DIRS.get(component), "infra/platform");
        for (String dir : dirs) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dir).resolve("src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher asked = CONFIG_NAME.matcher(Files.readString(f));
                    while (asked.find()) {
                        out.add(envName(asked.group(1)));
                    }
                }
            }
        }
        return out;
    }

    private static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** {@code helm template} of the chart as release "tally" in namespace "billing" on Kubernetes 1.31. */
    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("tally").withNamespace("billing").withKubeVersion("1.31.0");
    }

    /** The objects {@code helm template} renders with {@code values} (also TerraformTest's). */
    static List<JsonNode> render(Path values) throws IOException {
        String manifests = template().withValuesFile(values).call();
        List<JsonNode> out = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(manifests)) {
            Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                if (d != null && d.has("kind")) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    private static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").path(0);
    }

    /** The chart in a temporary directory with {@code overrides} merged into its values.yaml (helm-java's lint takes no values file). */
    private Path copyWithValues(Path overrides) throws IOException {
        Path copy = temp.resolve("tally");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        YAML.readerForUpdating(values).readValue(overrides.toFile());
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        return copy;
    }
}
