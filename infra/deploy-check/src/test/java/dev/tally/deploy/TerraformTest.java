package dev.tally.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Terraform in {@code infra/terraform}, as far as this machine can check it (providers and registry modules cannot
 * be downloaded here, so the AWS modules are neither validated nor planned): every file is formatted
 * ({@code terraform fmt -check}, which also catches syntax errors); the provider-free {@code tally-values} module's
 * own {@code terraform test} suite passes, offline, in a temporary copy; its topic plan is shared-model's
 * {@code Topics.ALL}; and the values it computes are accepted by the chart (values.schema.json) and render Deployments
 * that reach Kafka with SASL_SSL/SCRAM and read every credential from the Secrets the example creates. Each check is
 * also shown to bite. Needs {@code terraform} (1.9 or later) on the PATH: without it the tests fail, they do not skip.
 */
class TerraformTest {
    static final Path ROOT = Path.of(System.getProperty("tally.root", "../..")).toAbsolutePath().normalize();
    static final Path TERRAFORM_DIR = ROOT.resolve("infra/terraform");
    static final Path VALUES_MODULE = TERRAFORM_DIR.resolve("modules/tally-values");
    static final Path CHART = ROOT.resolve("infra/helm/tally");
    static final Path TOPICS_JAVA = ROOT.resolve("shared-model/src/main/java/dev/tally/model/messages/Topics.java");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final String BOOTSTRAP = "b-1.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096,"
            + "b-2.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096,b-3.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096";
    static final String DB_HOST = "tally-db.abc123.eu-central-1.rds.amazonaws.com";
    static final String DATA_CIDR = "10.42.64.0/24";

    private static Path terraform;

    @TempDir
    Path temp;

    @BeforeAll
    static void terraformIsOnThePath() {
        terraform = Stream.of(System.getenv().getOrDefault("PATH", "").split(Pattern.quote(File.pathSeparator)))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "terraform"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (terraform == null) {
            fail("terraform is not on the PATH (" + System.getenv("PATH") + "): the Terraform checks need Terraform 1.9 or later"
                    + " (on these machines: /usr/local/bin/terraform, see MACHINE.md \"Helm and Terraform\"); they do not skip");
        }
    }

    @Test
    void everyTerraformFileIsFormatted() throws Exception {
        Result fmt = run(TERRAFORM_DIR, "fmt", "-check", "-recursive", "-diff", "-no-color");
        assertThat(fmt.exit()).as("terraform fmt -check -recursive -diff infra/terraform:\n" + fmt.output()).isZero();
    }

    @Test
    void fmtCheckCatchesABadlyFormattedFileAndASyntaxError() throws Exception {
        String outputs = Files.readString(VALUES_MODULE.resolve("outputs.tf"));
        // the same file with its attributes no longer aligned and indented by four
        String misaligned = outputs.replaceAll("(?m)^  (\\w+)\\s+=", "    $1 =");
        assertThat(misaligned).isNotEqualTo(outputs);
        Files.writeString(temp.resolve("misaligned.tf"), misaligned);
        Result bad = run(temp, "fmt", "-check", "-recursive", "-no-color");
        assertThat(bad.exit()).as(bad.output()).isNotZero();
        assertThat(bad.output()).contains("misaligned.tf");

        Files.delete(temp.resolve("misaligned.tf"));
        Files.writeString(temp.resolve("broken.tf"), outputs.replaceFirst("\\{", ""));
        Result broken = run(temp, "fmt", "-check", "-recursive", "-no-color");
        assertThat(broken.exit()).as(broken.output()).isNotZero();
        assertThat(broken.output()).contains("broken.tf");
    }

    @Test
    void theTallyValuesModuleTestsPassOffline() throws Exception {
        Path module = copyOfValuesModule();
        // no provider, no module source: init has nothing to download (and proves it: it would fail offline otherwise)
        Result init = run(module, "init", "-backend=false", "-input=false", "-no-color");
        assertThat(init.exit()).as("terraform init -backend=false:\n" + init.output()).isZero();

        Result test = run(module, "test", "-no-color");
        assertThat(test.exit()).as("terraform test:\n" + test.output()).isZero();
        int runs = runBlocks(module);
        assertThat(runs).as("run blocks in tests/*.tftest.hcl").isGreaterThanOrEqualTo(20);
        assertThat(test.output()).as(test.output()).contains("Success! " + runs + " passed, 0 failed.");
        assertThat(test.output()).doesNotContain("skip");
    }

    @Test
    void theModuleTestsCatchABrokenRetention() throws Exception {
        Path module = copyOfValuesModule();
        Path main = module.resolve("main.tf");
        String source = Files.readString(main);
        assertThat(source).contains("day_ms = 86400000");
        // milliseconds mistaken for seconds
        Files.writeString(main, source.replace("day_ms = 86400000", "day_ms = 86400"));

        Result test = run(module, "test", "-no-color");
        assertThat(test.exit()).as(test.output()).isNotZero();
        assertThat(test.output()).contains("retention.ms of tally.events.accepted must be 45 days");
    }

    @Test
    void theTopicPlanIsSharedModelsTopicsAll() throws Exception {
        List<String> expected = topicsAll();
        assertThat(expected).as("Topics.ALL read from " + TOPICS_JAVA).hasSizeGreaterThanOrEqualTo(8);

        JsonNode planned = console(copyOfValuesModule(), "jsonencode(local.platform_topics)", "ha");
        List<String> actual = new ArrayList<>();
        planned.forEach(t -> actual.add(t.path("name").asText() + "/" + t.path("partitions").asInt() + "/" + t.path("compacted").asBoolean()));
        assertThat(actual).as("tally-values' platform_topics (name/partitions/compacted)").containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "ha"})
    void theComputedValuesInstallTheChart(String profile) throws Exception {
        String valuesYaml = console(copyOfValuesModule(), "jsonencode(yamlencode(local.values))", profile).asText();
        Path values = temp.resolve("terraform-values-" + profile + ".yaml");
        Files.writeString(values, valuesYaml);

        // helm template validates the values against values.schema.json first: a key the chart does not know fails here
        List<JsonNode> objects = HelmChartTest.render(values);
        List<JsonNode> deployments = HelmChartTest.ofKind(objects, "Deployment");
        assertThat(deployments).hasSize(4);
        assertThat(HelmChartTest.ofKind(objects, "Secret")).as("no Secret is rendered").isEmpty();

        Map<String, JsonNode> ingest = env(deployment(deployments, "ingest"));
        assertThat(ingest.get("TALLY_KAFKA_BOOTSTRAP").path("value").asText()).isEqualTo(BOOTSTRAP);
        assertThat(ingest.get("TALLY_KAFKA_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SASL_SSL");
        assertThat(ingest.get("TALLY_KAFKA_SASL_MECHANISM").path("value").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(secretRef(ingest, "TALLY_KAFKA_USERNAME")).isEqualTo("tally-kafka/username");
        assertThat(secretRef(ingest, "TALLY_KAFKA_PASSWORD")).isEqualTo("tally-kafka/password");
        assertThat(ingest.get("TALLY_DB_URL").path("value").asText()).isEqualTo("jdbc:postgresql://" + DB_HOST + ":5432/tally");
        assertThat(ingest.get("TALLY_DB_SSL_MODE").path("value").asText()).isEqualTo("require");
        assertThat(secretRef(ingest, "TALLY_DB_USER")).isEqualTo("tally-db/username");
        assertThat(secretRef(ingest, "TALLY_DB_PASSWORD")).isEqualTo("tally-db/password");
        assertThat(ingest.get("TALLY_OUTBOX_RETENTION").path("value").asText()).as("the correction window").isEqualTo("P7D");
        assertThat(secretRef(env(deployment(deployments, "invoicing")), "TALLY_ADMIN_TOKEN")).isEqualTo("tally-operator/token");

        for (JsonNode policy : HelmChartTest.ofKind(objects, "NetworkPolicy")) {
            if (policy.path("metadata").path("name").asText().endsWith("admin-ui")) {
                continue;
            }
            String egress = policy.path("spec").path("egress").toString();
            assertThat(egress).as(policy.path("metadata").path("name").asText())
                    .contains("{\"cidr\":\"" + DATA_CIDR + "\"}").contains("{\"port\":9096}").contains("{\"port\":5432}")
                    .doesNotContain("{\"port\":9092}");
        }

        if (profile.equals("ha")) {
            assertThat(HelmChartTest.ofKind(objects, "HorizontalPodAutoscaler")).extracting(h -> h.path("spec").path("maxReplicas").asInt())
                    .containsExactlyInAnyOrder(20, 4);
            assertThat(HelmChartTest.ofKind(objects, "PodDisruptionBudget")).hasSize(4);
        } else {
            assertThat(HelmChartTest.ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
            assertThat(HelmChartTest.ofKind(objects, "PodDisruptionBudget")).isEmpty();
            assertThat(deployments).extracting(d -> d.path("spec").path("replicas").asInt()).containsOnly(1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    record Result(int exit, String output) {
    }

    /** Runs terraform in {@code dir} with a timeout; stdout and stderr together, unless {@code stdoutOnly}. */
    private Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, null, false, args);
    }

    private Result run(Path dir, Path stdin, boolean stdoutOnly, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(terraform.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(temp, "terraform-", ".out");
        Path err = Files.createTempFile(temp, "terraform-", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        pb.environment().put("TF_IN_AUTOMATION", "1");
        // no call home to checkpoint.hashicorp.com
        pb.environment().put("CHECKPOINT_DISABLE", "1");
        pb.environment().remove("TF_CLI_ARGS");
        Process process = pb.start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("terraform " + String.join(" ", args) + " did not finish within " + TIMEOUT + ":\n" + Files.readString(out));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        return new Result(process.exitValue(), stdoutOnly ? stdout : stdout + stderr);
    }

    /** The tally-values module copied into the test's temporary directory (its tests, state and init stay there). */
    private Path copyOfValuesModule() throws IOException {
        Path copy = Files.createTempDirectory(temp, "tally-values-");
        try (Stream<Path> files = Files.walk(VALUES_MODULE)) {
            for (Path f : files.toList()) {
                Path rel = VALUES_MODULE.relativize(f);
                if (rel.toString().startsWith(".terraform") || rel.toString().endsWith(".tfstate")) {
                    continue;
                }
                Path target = copy.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return copy;
    }

    private static int runBlocks(Path module) throws IOException {
        int runs = 0;
        try (Stream<Path> files = Files.list(module.resolve("tests"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tftest.hcl")).toList()) {
                runs += (int) Pattern.compile("(?m)^run\\s+\"").matcher(Files.readString(f)).results().count();
            }
        }
        return runs;
    }

    /**
     * Evaluates {@code expression} with {@code terraform console} over the module's inputs; the expression must be a
     * {@code jsonencode(...)} (console prints multi-line strings as heredocs, a JSON encoding stays on one line).
     */
    private JsonNode console(Path module, String expression, String profile) throws Exception {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("profile", profile);
        vars.put("image_tag", "0.1.0");
        vars.put("postgres_jdbc_url", "jdbc:postgresql://" + DB_HOST + ":5432/tally?sslmode=require");
        vars.put("postgres_cidrs", List.of(DATA_CIDR, "10.42.65.0/24", "10.42.66.0/24"));
        vars.put("kafka_bootstrap_brokers", BOOTSTRAP);
        vars.put("kafka_cidrs", List.of(DATA_CIDR, "10.42.65.0/24", "10.42.66.0/24"));
        Path varFile = module.resolve("test.tfvars.json");
        JSON.writeValue(varFile.toFile(), vars);
        Path input = module.resolve("console.in");
        Files.writeString(input, expression + "\n");

        Result result = run(module, input, true, "console", "-var-file=" + varFile);
        assertThat(result.exit()).as("terraform console: " + expression + "\n" + result.output()).isZero();
        String line = result.output().lines().filter(l -> l.startsWith("\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no string from terraform console: " + result.output()));
        // console prints an HCL string literal (for this content, the same escapes as a JSON string) holding JSON
        return JSON.readTree(JSON.readValue(line, String.class));
    }

    /** shared-model's Topics.ALL as name/partitions/compacted, read from its source. */
    private static List<String> topicsAll() throws IOException {
        String source = Files.readString(TOPICS_JAVA);
        Map<String, String> names = new HashMap<>();
        Matcher constant = Pattern.compile("public static final String (\\w+) = \"([^\"]+)\";").matcher(source);
        while (constant.find()) {
            names.put(constant.group(1), constant.group(2));
        }
        List<String> out = new ArrayList<>();
        Matcher spec = Pattern.compile("new Spec\\((\\w+), (\\d+), (true|false)\\)").matcher(source);
        while (spec.find()) {
            assertThat(names).as("Topics constant " + spec.group(1)).containsKey(spec.group(1));
            out.add(names.get(spec.group(1)) + "/" + spec.group(2) + "/" + spec.group(3));
        }
        return out;
    }

    private static JsonNode deployment(List<JsonNode> deployments, String component) {
        return deployments.stream()
                .filter(d -> component.equals(d.path("metadata").path("labels").path("app.kubernetes.io/component").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no Deployment of " + component));
    }

    private static Map<String, JsonNode> env(JsonNode deployment) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        deployment.path("spec").path("template").path("spec").path("containers").path(0).path("env")
                .forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }

    private static String secretRef(Map<String, JsonNode> env, String name) {
        assertThat(env).as("environment").containsKey(name);
        JsonNode ref = env.get(name).path("valueFrom").path("secretKeyRef");
        return ref.path("name").asText() + "/" + ref.path("key").asText();
    }
}
