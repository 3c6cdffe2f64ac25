package dev.tally.invoicing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.platform.security.WebhookSignature;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/api.md tells a webhook receiver how to verify {@code Tally-Signature}, in Java and with openssl. This test takes
 * both blocks out of the doc as they are written, and runs them on a delivery Tally really sent: the doc's code accepts
 * it, and refuses it under another secret, with one changed body byte, and with a signature from the past.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class WebhookVerificationDocTest {
    private static final String OPERATOR = "test-operator-token";
    private static final Path DOC = Path.of("../docs/api.md");

    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @TempDir
    Path dir;

    record Delivery(String signature, byte[] body) {
    }

    @Test
    void theDocumentedJavaAndOpensslChecksAcceptARealDeliveryAndRefuseForgeries() throws Exception {
        Received d = receiveOneDelivery();
        String secret = d.secret();
        Method verify = compileDocumentedJava();
        assertThat((boolean) verify.invoke(null, secret, d.delivery().signature(), d.delivery().body(), 300L)).as("java: real delivery").isTrue();
        assertThat((boolean) verify.invoke(null, "whsec_other", d.delivery().signature(), d.delivery().body(), 300L)).as("java: other secret").isFalse();
        byte[] tampered = Arrays.copyOf(d.delivery().body(), d.delivery().body().length);
        tampered[tampered.length - 2] ^= 1;
        assertThat((boolean) verify.invoke(null, secret, d.delivery().signature(), tampered, 300L)).as("java: one byte changed").isFalse();
        String old = WebhookSignature.header(secret, Instant.now().getEpochSecond() - 3600, new String(d.delivery().body(), StandardCharsets.UTF_8));
        assertThat((boolean) verify.invoke(null, secret, old, d.delivery().body(), 300L)).as("java: an hour old").isFalse();
        assertThat((boolean) verify.invoke(null, secret, "t=1,v1=zz", d.delivery().body(), 300L)).as("java: malformed").isFalse();

        assertThat(runDocumentedShell(secret, d.delivery().signature(), d.delivery().body())).as("sh: real delivery").isEqualTo("verified");
        assertThat(runDocumentedShell("whsec_other", d.delivery().signature(), d.delivery().body())).as("sh: other secret").isEmpty();
        assertThat(runDocumentedShell(secret, d.delivery().signature(), tampered)).as("sh: one byte changed").isEmpty();
        assertThat(runDocumentedShell(secret, old, d.delivery().body())).as("sh: an hour old").isEmpty();
    }

    private record Received(String secret, Delivery delivery) {
    }

    private Received receiveOneDelivery() throws Exception {
        BlockingQueue<Delivery> got = new ArrayBlockingQueue<>(4);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            got.offer(new Delivery(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            JsonPath tenant = given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body("{\"name\":\"V\"}")
                    .post("/v1/admin/tenants").then().statusCode(201).extract().jsonPath();
            String key = tenant.getString("apiKey.key");
            String secret = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body("{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}").post("/v1/webhooks").then().statusCode(201)
                    .extract().jsonPath().getString("secret");
            String tenantId = tenant.getString("tenantId");
            AlertV1 alert = new AlertV1(tenantId + "/c_ü/requests/2026-11-01T00:00:00Z/80", tenantId, "c_ü", "requests",
                    Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), 80, new BigDecimal("1000"),
                    new BigDecimal("812.5"), true, false, Instant.now());
            try (Producer<String, String> p = kafka.producer("test-rating")) {
                p.send(new ProducerRecord<>(Topics.ALERTS, tenantId + "/c_ü", json.writeValueAsString(alert))).get();
            }
            Delivery d = got.poll(30, TimeUnit.SECONDS);
            assertThat(d).as("a delivery within 30 s").isNotNull();
            return new Received(secret, d);
        } finally {
            receiver.stop(0);
        }
    }

    private static String block(String tag) throws Exception {
        String doc = Files.readString(DOC);
        Matcher m = Pattern.compile("<!-- verify-webhook:" + tag + "[^>]*-->\\s*```" + tag + "\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("docs/api.md has the " + tag + " block").isTrue();
        return m.group(1);
    }

    private Method compileDocumentedJava() throws Exception {
        Path src = dir.resolve("TallyWebhooks.java");
        Files.writeString(src, block("java"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-d", dir.toString(), src.toString());
        assertThat(rc).as("the doc's Java compiles: " + err).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
        return loader.loadClass("TallyWebhooks").getMethod("verify", String.class, String.class, byte[].class, long.class);
    }

    private String runDocumentedShell(String secret, String header, byte[] body) throws Exception {
        Files.write(dir.resolve("body.json"), body);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", block("sh")).directory(dir.toFile());
        pb.environment().put("SECRET", secret);
        pb.environment().put("HEADER", header);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
