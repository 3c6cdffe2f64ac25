package dev.tally.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{(TALLY_[A-Z0-9_]+)");

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
                    .containsExactlyInAnyOrder(20, 12);
            assertThat(ofKind(objects, "Ingress")).extracting(i -> i.path("spec").path("tls").path(0).path("hosts").path(0).asText())
                    .containsExactlyInAnyOrder("ingest.tally.example.com", "console.tally.example.com");
        }
        if (profile.equals("native-values.yaml")) {
            assertThat(deployments).allSatisfy(d -> assertThat(container(d).path("image").asText()).contains("-native:"));
        }
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
        Pattern metric = Pattern.compile("tally_[a-z_]+");
        for (JsonNode rule : rules) {
            Matcher m = metric.matcher(rule.path("expr").asText());
            assertThat(m.find()).as(rule.path("alert").asText() + " watches a tally metric").isTrue();
            do {
                String dotted = m.group().replaceFirst("_total$", "").replace('_', '.');
                assertThat(sources).as(rule.path("alert").asText() + ": some service registers \"" + dotted + "\"").contains("\"" + dotted + "\"");
            } while (m.find());
        }
        assertThat(variablesRead("ingest")).isNotEmpty();
    }

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
        ((com.fasterxml.jackson.databind.node.ArrayNode) container(literal).path("env")).addObject().put("name", "TALLY_DB_PASSWORD").put("value", "hunter2");
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
                    out.add(name + ": " + component + " does not read it (no ${" + name + "} in its application.properties)");
                }
                if (name.matches(".*(PASSWORD|SECRET|TOKEN|_KEY).*") && !e.has("valueFrom")) {
                    out.add(name + " is a literal value; secrets come from a Secret (valueFrom.secretKeyRef)");
                }
            }
        }
        return out;
    }

    /** The {@code ${TALLY_…}} variables the service's configuration reads. */
    static Set<String> variablesRead(String component) throws IOException {
        String props = Files.readString(ROOT.resolve(SERVICE_DIRS.get(component)).resolve("src/main/resources/application.properties"));
        Set<String> out = new TreeSet<>();
        Matcher m = ENV_REFERENCE.matcher(props);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** {@code helm template} of the chart as release "tally" in namespace "billing" on Kubernetes 1.31. */
    private static com.marcnuri.helm.TemplateCommand template() {
        return new Helm(CHART).template().withName("tally").withNamespace("billing").withKubeVersion("1.31.0");
    }

    private List<JsonNode> render(Path values) throws IOException {
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

    private static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
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
