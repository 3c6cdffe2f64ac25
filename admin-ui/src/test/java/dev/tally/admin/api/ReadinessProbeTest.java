package dev.tally.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.admin.StubServices;
import dev.tally.admin.api.HealthReport.Service;
import dev.tally.admin.api.HealthReport.Status;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The probe's classification, without Quarkus: every outcome is a row, never an exception. */
class ReadinessProbeTest {
    static final StubServices stub = new StubServices();
    static String base;
    static ReadinessProbe probe;

    @BeforeAll
    static void start() throws Exception {
        base = stub.listen();
        probe = new ReadinessProbe(Duration.ofMillis(500), new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        probe.close();
        stub.stop();
    }

    static Service probe(String url) {
        return probe.probe("svc", URI.create(url)).join();
    }

    @Test
    void aReadyServiceIsUpWithItsChecks() {
        Service s = probe(base + "/up/");
        assertThat(s.status()).isEqualTo(Status.UP);
        assertThat(s.httpStatus()).isEqualTo(200);
        assertThat(s.checks()).hasSize(2);
        assertThat(s.url()).isEqualTo(base + "/up/");
    }

    @Test
    void anAnswerThatIsNot200IsDownEvenWithoutAJsonBody() {
        Service s = probe(base + "/nope");
        assertThat(s.status()).isEqualTo(Status.DOWN);
        assertThat(s.httpStatus()).isEqualTo(404);
        assertThat(s.checks()).isEmpty();
        assertThat(s.error()).isNull();
    }

    @Test
    void a200WhoseBodySaysDownIsDown() {
        Service s = probe(base + "/ok-but-down");
        assertThat(s.status()).isEqualTo(Status.DOWN);
        assertThat(s.httpStatus()).isEqualTo(200);
        assertThat(s.checks().get(0).get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void aServiceThatDoesNotAnswerInTimeIsUnreachable() {
        Service s = probe(base + "/slow");
        assertThat(s.status()).isEqualTo(Status.UNREACHABLE);
        assertThat(s.httpStatus()).isNull();
        assertThat(s.error()).isEqualTo("no answer within 500 ms");
        assertThat(s.latencyMs()).isBetween(400L, 4_000L);
    }

    @Test
    void aClosedPortIsUnreachableWithAShortReason() {
        Service s = probe(StubServices.CLOSED);
        assertThat(s.status()).isEqualTo(Status.UNREACHABLE);
        assertThat(s.error()).isNotBlank().doesNotContain("\n").doesNotContain("Exception\tat");
    }

    @Test
    void aUrlThatIsNotAbsoluteHttpIsUnreachableNotAnError() {
        Service s = probe("localhost:8081");
        assertThat(s.status()).isEqualTo(Status.UNREACHABLE);
        assertThat(s.error()).startsWith("invalid URL");
    }
}
